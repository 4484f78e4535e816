package outbound

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParsePorts(t *testing.T) {
	tests := []struct {
		in    string
		port  int
		ports map[string]int
		bad   bool
	}{
		{in: ""},
		{in: "2525", port: 2525},
		{in: "MX.example.com.=2526, mx.example.net=2527,25", port: 25,
			ports: map[string]int{"mx.example.com": 2526, "mx.example.net": 2527}},
		{in: "0", bad: true},
		{in: "65536", bad: true},
		{in: "mx=abc", bad: true},
	}
	for _, tt := range tests {
		port, ports, err := ParsePorts(tt.in)
		if tt.bad {
			require.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.port, port, tt.in)
		require.Equal(t, tt.ports, ports, tt.in)
	}
}

func FuzzParsePorts(f *testing.F) {
	for _, s := range []string{"", "25", "a=1,2", "=5", ",,,", "x=99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		port, ports, err := ParsePorts(s)
		if err != nil {
			return
		}
		if port < 0 || port > 65535 {
			t.Fatalf("port %d", port)
		}
		for _, p := range ports {
			if p < 1 || p > 65535 {
				t.Fatalf("port %d", p)
			}
		}
	})
}
