package serve

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// ErrUsage is the error of a command line that is wrong (exit status 2 in
// Main); flag.ErrHelp means -help was asked for (exit status 0).
var ErrUsage = errors.New("bad usage")

// NewFlagSet returns the flag set of the program name: errors and the
// usage go to stderr, the usage being the line usage and then the flags.
func NewFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// Parse parses args with fs: its error is flag.ErrHelp for -help, and
// ErrUsage (with the usage printed) for a wrong flag or an argument that
// is not a flag.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", ErrUsage, err) // fs printed the error and the usage
	}
	if fs.NArg() > 0 {
		return UsageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// UsageError prints "name: " and the message, then the usage, and returns
// ErrUsage.
func UsageError(fs *flag.FlagSet, format string, args ...any) error {
	fmt.Fprintf(fs.Output(), fs.Name()+": "+format+"\n", args...)
	fs.Usage()
	return fmt.Errorf("%w: "+format, append([]any{ErrUsage}, args...)...)
}
