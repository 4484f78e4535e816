package testmem

import (
	"math"
	"runtime"
)

// Allocated returns the bytes the heap allocated while f ran. It collects
// garbage first, so that a collection started by earlier work is less
// likely to run (and allocate) during f.
func Allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// PerRun returns the bytes the heap allocated per run, on average, while
// f ran runs times in a row (runs < 1 counts as 1). Warm-up runs, if the
// caller wants any, are the caller's to make before.
func PerRun(runs int, f func()) uint64 {
	runs = max(runs, 1)
	total := Allocated(func() {
		for range runs {
			f()
		}
	})
	return total / uint64(runs)
}

// Least returns the least of up to runs measurements of f by Allocated
// (runs < 1 counts as 1), stopping at the first one under under. On a
// busy machine, or under the race detector, a single run can be charged
// with allocations that were not its own; the least of several is the
// closest to f's own cost. f must do the same work every time.
func Least(runs int, under uint64, f func()) uint64 {
	least := uint64(math.MaxUint64)
	for range max(runs, 1) {
		if least = min(least, Allocated(f)); least < under {
			break
		}
	}
	return least
}
