package testmem

import (
	"runtime"
	"testing"
)

// sink keeps the allocations of the tests on the heap.
var sink []byte

const mib = 1 << 20

// TestMeasures: a function that allocates 1 MiB measures at least 1 MiB
// (and not absurdly more); one that allocates nothing measures far less.
func TestMeasures(t *testing.T) {
	allocMiB := func() { sink = make([]byte, mib) }
	nothing := func() {}
	tests := []struct {
		name     string
		measure  func() uint64
		min, max uint64
	}{
		{"Allocated, 1 MiB", func() uint64 { return Allocated(allocMiB) }, mib, 2 * mib},
		{"Allocated, nothing", func() uint64 { return Allocated(nothing) }, 0, 64 << 10},
		{"PerRun, 1 MiB each of 8", func() uint64 { return PerRun(8, allocMiB) }, mib, 2 * mib},
		{"PerRun, nothing", func() uint64 { return PerRun(8, nothing) }, 0, 8 << 10},
		{"PerRun, 0 runs is 1", func() uint64 { return PerRun(0, allocMiB) }, mib, 2 * mib},
		{"Least, 1 MiB", func() uint64 { return Least(5, mib, allocMiB) }, mib, 2 * mib},
		{"Least, nothing", func() uint64 { return Least(5, 64<<10, nothing) }, 0, 64 << 10},
	}
	for _, tt := range tests {
		got := tt.measure()
		t.Logf("%s: %d bytes", tt.name, got)
		if got < tt.min || got >= tt.max {
			t.Errorf("%s: measured %d bytes, want in [%d, %d)", tt.name, got, tt.min, tt.max)
		}
	}
}

// TestCollections: Allocated and each run of Least collect garbage
// first; PerRun does not, so the pools its caller warmed stay warm.
func TestCollections(t *testing.T) {
	numGC := func() uint32 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.NumGC
	}
	nothing := func() {}
	tests := []struct {
		name    string
		measure func()
		min     uint32
		max     uint32 // inclusive: runtime.GC may also finish a cycle under way
	}{
		{"Allocated", func() { Allocated(nothing) }, 1, 2},
		{"Least, 3 runs", func() { Least(3, 0, nothing) }, 3, 6},
		{"PerRun", func() { PerRun(5, nothing) }, 0, 0},
	}
	for _, tt := range tests {
		before := numGC()
		tt.measure()
		if n := numGC() - before; n < tt.min || n > tt.max {
			t.Errorf("%s: %d collections, want %d to %d", tt.name, n, tt.min, tt.max)
		}
	}
}

// TestPerRunAverages: 8 runs of 1 MiB, then 8 runs that allocate 1 MiB
// once between them, average 1 MiB and 128 KiB.
func TestPerRunAverages(t *testing.T) {
	n := 0
	once := func() {
		if n++; n == 4 {
			sink = make([]byte, mib)
		}
	}
	got := PerRun(8, once)
	if n != 8 {
		t.Fatalf("f ran %d times, want 8", n)
	}
	if got < mib/8 || got >= mib/4 {
		t.Errorf("1 MiB over 8 runs: %d bytes per run, want about %d", got, mib/8)
	}
}

// TestLeastStops: Least stops at the first run under the bound, and
// otherwise makes all its runs and returns the least.
func TestLeastStops(t *testing.T) {
	sizes := []int{4 * mib, 2 * mib, 3 * mib, 1 * mib}
	tests := []struct {
		name     string
		runs     int
		under    uint64
		wantRuns int
		least    uint64 // the size of the least run, in bytes
	}{
		{"under met by the second run", 4, 3 * mib, 2, 2 * mib},
		{"never under: all runs", 4, 1, 4, mib},
		{"runs caps the tries", 3, 1, 3, 2 * mib},
		{"0 runs is 1", 0, 1, 1, 4 * mib},
	}
	for _, tt := range tests {
		n := 0
		got := Least(tt.runs, tt.under, func() {
			sink = make([]byte, sizes[n])
			n++
		})
		if n != tt.wantRuns {
			t.Errorf("%s: %d runs, want %d", tt.name, n, tt.wantRuns)
		}
		if got < tt.least || got >= tt.least+mib/2 {
			t.Errorf("%s: %d bytes, want about %d", tt.name, got, tt.least)
		}
	}
}
