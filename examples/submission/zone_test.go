package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/mailsmith/mailsmith/examples/internal/demozone"
)

// testZone is the demo zone, started once for all tests of the package:
// generating its RSA key is the slowest part of a test, and no test
// changes the zone.
var testZone *demozone.Zone

// mainEnv makes the test binary run the program's main instead of the
// tests (see TestProcess).
const mainEnv = "MAILSMITH_SUBMISSION_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		main()
		os.Exit(0)
	}
	z, err := demozone.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo zone:", err)
		os.Exit(1)
	}
	testZone = z
	code := m.Run()
	z.Close()
	os.Exit(code)
}
