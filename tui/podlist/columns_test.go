package podlist

import (
	"slices"
	"testing"

	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

func TestLayoutPriorities(t *testing.T) {
	s := colStats{ns: 8, name: 36, ready: 3, status: 21, restarts: 14, steps: 4, fraction: 3, stepName: 19, pods: 10}
	cases := []struct {
		width int
		shown []column
	}{
		{160, []column{colNS, colName, colReady, colStatus, colRestarts, colAge, colBar, colFraction, colStep}},
		{100, []column{colNS, colName, colReady, colStatus, colRestarts, colAge, colBar, colFraction}},
		{80, []column{colNS, colName, colReady, colStatus, colAge, colBar, colFraction}},
		{60, []column{colName, colReady, colStatus, colBar, colFraction}},
		{40, []column{colName, colStatus, colBar}},
		{20, []column{colName, colStatus}},
		{10, []column{colName}},
	}
	for _, c := range cases {
		ly := computeLayout(s, c.width, tuitest.Now)
		var shown []column
		for col := colNS; col < colCount; col++ {
			if ly.shown(col) {
				shown = append(shown, col)
			}
		}
		if !slices.Equal(shown, c.shown) {
			t.Errorf("width %d: columns %v, want %v (widths %v)", c.width, shown, c.shown, ly.w)
		}
		if ly.total() > c.width {
			t.Errorf("width %d: layout takes %d", c.width, ly.total())
		}
		if c.width >= 160 && ly.w[colName] != s.name {
			t.Errorf("width %d: NAME %d wide, want all %d", c.width, ly.w[colName], s.name)
		}
	}
}
