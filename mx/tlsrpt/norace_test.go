//go:build !race

package tlsrpt_test

// allocSlack: the race detector makes allocations larger.
const allocSlack = 1
