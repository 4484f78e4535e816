package proctest

import (
	"fmt"
	"os"
	"testing"

	"github.com/mailsmith/mailsmith/examples/internal/demozone"
)

// mainEnv, set to "1" in the environment of a process that Command starts,
// makes the test binary run the program's main (see Main).
const mainEnv = "MAILSMITH_EXAMPLE_MAIN"

// Main is the TestMain of a program's tests. In a process started by
// Command it runs program (the package's main) and exits 0 when it
// returns. Otherwise, when zone is not nil, it starts the demo zone once
// for all the tests and stores it in *zone (generating its RSA key is the
// slowest part of a test, and no test changes the zone); it runs the
// tests, stops the zone and exits with the tests' status.
func Main(m *testing.M, program func(), zone **demozone.Zone) {
	if os.Getenv(mainEnv) == "1" {
		program()
		os.Exit(0)
	}
	if zone == nil {
		os.Exit(m.Run())
	}
	z, err := demozone.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo zone:", err)
		os.Exit(1)
	}
	*zone = z
	code := m.Run()
	z.Close()
	os.Exit(code)
}
