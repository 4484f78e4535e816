package testmem

import (
	"math"
	"runtime"
)

// Allocated returns the bytes the heap allocated while f ran. It collects
// garbage first, so that a collection due to earlier work is less likely
// to run during f. A collection moves sync.Pool items to the pools'
// victim caches, from which a goroutine on another P may not get them
// back: f may then allocate afresh what a pool held (a few tens of KiB
// for a warm parser). For a per-run bound of that order, use PerRun.
func Allocated(f func()) uint64 {
	runtime.GC()
	before := totalAlloc()
	f()
	return totalAlloc() - before
}

// PerRun returns the bytes the heap allocated per run, on average, while
// f ran runs times in a row (runs < 1 counts as 1). Unlike Allocated it
// does not collect garbage first: the pools and allocation caches that
// the caller's warm-up runs filled stay as they are, so the figure is
// what a run costs in steady state. Warm-up runs are the caller's to
// make.
func PerRun(runs int, f func()) uint64 {
	runs = max(runs, 1)
	before := totalAlloc()
	for range runs {
		f()
	}
	return (totalAlloc() - before) / uint64(runs)
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

// totalAlloc returns runtime.MemStats.TotalAlloc: the bytes allocated for
// heap objects since the process started, never decreasing.
func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}
