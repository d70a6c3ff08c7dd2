package tui

import "testing"

func TestProcsFor(t *testing.T) {
	tests := []struct {
		name    string
		current int
		userSet bool
		want    int
	}{
		{"one core: the default", 1, false, 1},
		{"two cores", 2, false, 4},
		{"three cores", 3, false, 4},
		{"four cores: the default", 4, false, 4},
		{"many cores: the default", 16, false, 16},
		{"the user's GOMAXPROCS=1 stands", 1, true, 1},
		{"the user's GOMAXPROCS=2 stands", 2, true, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := procsFor(tc.current, tc.userSet); got != tc.want {
				t.Errorf("procsFor(%d, %v) = %d, want %d", tc.current, tc.userSet, got, tc.want)
			}
		})
	}
}
