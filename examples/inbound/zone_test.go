package main

import (
	"testing"

	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/proctest"
)

// testZone is the demo zone, started once for all tests of the package.
var testZone *demozone.Zone

// TestMain runs main instead of the tests in a process that proctest
// started (see TestProcess).
func TestMain(m *testing.M) { proctest.Main(m, main, &testZone) }
