// Package proctest runs an example program as a process in its own tests:
// the package's test binary is started again with an environment variable
// that makes its TestMain run the program's main instead of the tests (see
// Main). Start waits for the program's "listening" log line, Stop sends
// SIGTERM and checks the clean exit, Kill sends SIGKILL.
//
// It is test-support code: only _test.go files import it.
package proctest
