// Command benchtable reads `go test -bench` output and prints a markdown
// table of medians per benchmark: one row per benchmark and library, with
// the library's module version. Benchmarks name the library in a
// "lib=NAME" element of the sub-benchmark name.
//
//	benchtable -versions versions.txt < bench.txt
//
// versions.txt has lines "lib module version" (see run.sh); the table
// shows the version.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// benchLine matches "BenchmarkName-P  N  v unit  v unit ...".
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+(.*)$`)

// columns are the metrics shown, in order; others are added after them.
var columns = []string{"ns/op", "MB/s", "B/op", "allocs/op"}

type row struct {
	name    string // without the lib element
	lib     string
	samples map[string][]float64
}

func main() {
	versionsFile := flag.String("versions", "", "file of \"lib module version\" lines")
	flag.Parse()
	versions := map[string]string{}
	if *versionsFile != "" {
		data, err := os.ReadFile(*versionsFile)
		if err != nil {
			log.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			f := strings.Fields(l)
			if len(f) == 3 {
				versions[f[0]] = f[2]
			}
		}
	}
	rows, extra, err := read(os.Stdin)
	if err != nil {
		log.Fatal(err)
	}
	cols := append(slices.Clone(columns), extra...)
	fmt.Printf("| benchmark | library | version | %s | runs |\n", strings.Join(cols, " | "))
	fmt.Printf("|---|---|---|%s--:|\n", strings.Repeat("--:|", len(cols)))
	for _, r := range rows {
		cells := make([]string, len(cols))
		n := 0
		for i, c := range cols {
			s := r.samples[c]
			if len(s) == 0 {
				cells[i] = "–"
				continue
			}
			n = max(n, len(s))
			cells[i] = format(median(s))
		}
		v := versions[r.lib]
		if v == "" {
			v = "?"
		}
		fmt.Printf("| %s | %s | %s | %s | %d |\n", r.name, r.lib, v, strings.Join(cells, " | "), n)
	}
}

func read(in io.Reader) ([]*row, []string, error) {
	byKey := map[string]*row{}
	var order []*row
	var extra []string
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		name, lib := splitLib(strings.TrimPrefix(m[1], "Benchmark"))
		key := name + "\x00" + lib
		r := byKey[key]
		if r == nil {
			r = &row{name: name, lib: lib, samples: map[string][]float64{}}
			byKey[key] = r
			order = append(order, r)
		}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			unit := f[i+1]
			r.samples[unit] = append(r.samples[unit], v)
			if !slices.Contains(columns, unit) && !slices.Contains(extra, unit) {
				extra = append(extra, unit)
			}
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].name < order[j].name })
	return order, extra, sc.Err()
}

// splitLib takes the "lib=NAME" element out of a benchmark name.
func splitLib(name string) (string, string) {
	parts := strings.Split(name, "/")
	lib := ""
	kept := parts[:0]
	for _, p := range parts {
		if v, ok := strings.CutPrefix(p, "lib="); ok {
			lib = v
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "/"), lib
}

func median(s []float64) float64 {
	s = slices.Clone(s)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func format(v float64) string {
	switch {
	case v == float64(int64(v)):
		return strconv.FormatInt(int64(v), 10)
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}
