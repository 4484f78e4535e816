package main

import (
	"fmt"
	"io"
	"strings"
)

// narrator prints the report and counts the expectations that failed.
type narrator struct {
	w      io.Writer
	failed int
	checks int
}

// scene starts a part of the day.
func (n *narrator) scene(clock, title string) {
	fmt.Fprintf(n.w, "\n%s  %s\n", clock, title)
}

// say prints an explanation, wrapped at 76 columns and indented.
func (n *narrator) say(format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	line := "      "
	for _, word := range strings.Fields(text) {
		if len(line)+len(word) > 78 && strings.TrimSpace(line) != "" {
			fmt.Fprintln(n.w, strings.TrimRight(line, " "))
			line = "      "
		}
		line += word + " "
	}
	fmt.Fprintln(n.w, strings.TrimRight(line, " "))
}

// expect prints one outcome, marked ok or FAIL, and records failures.
func (n *narrator) expect(ok bool, format string, args ...any) bool {
	n.checks++
	mark := "  ok  "
	if !ok {
		mark = "  FAIL"
		n.failed++
	}
	fmt.Fprintf(n.w, "%s  %s\n", mark, fmt.Sprintf(format, args...))
	return ok
}

// fail records a step that could not run at all.
func (n *narrator) fail(format string, args ...any) {
	n.expect(false, format, args...)
}

// quote prints header fields or other text indented, as found.
func (n *narrator) quote(text string) {
	text = strings.TrimRight(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for _, l := range strings.Split(text, "\n") {
		fmt.Fprintf(n.w, "          %s\n", strings.ReplaceAll(l, "\t", "    "))
	}
}
