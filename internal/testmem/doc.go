// Package testmem measures the heap bytes a piece of test code allocates,
// for the tests that bound the memory a worst-shape input may cost (the
// suite bounds work and memory, never wall-clock time).
//
//	var err error
//	n := testmem.Allocated(func() { _, err = p.Parse(r) })
//	assert.Less(t, n, uint64(4<<20), "bytes allocated")
//
// The figure is the growth of runtime.MemStats.TotalAlloc while the code
// ran. TotalAlloc is process-wide: whatever other goroutines allocate in
// the meantime (a parallel test, the testing package, the race
// detector's bookkeeping) is counted too, so a measurement can only be
// larger than the code's own share, never smaller. Bounds are therefore
// upper bounds with room to spare, and Least is there for machines busy
// enough to make single runs noisy. Freed memory is not subtracted:
// these are bytes allocated, not bytes live.
//
// Allocated and Least collect garbage before each measurement; PerRun
// does not, so that the pools a warm-up run filled are still there (a
// collection can cost a pool its items, and the next run their
// allocation).
//
// The package is imported by _test.go files only.
package testmem
