// Package compare holds benchmarks and a conformance run that measure
// mailsmith against other Go mail-authentication libraries on the same
// inputs and the same machine. It is a nested module so its dependencies
// never reach the main module's go.mod.
package compare
