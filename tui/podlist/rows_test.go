package podlist

import (
	"slices"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestTruncationKeepsNameEnds(t *testing.T) {
	cases := []struct {
		text  string
		w     int
		mid   bool
		want  string
		hl    []int
		wantH []int
	}{
		{"web-7d9f8c6b5-x2kqz", 12, true, "web-7…-x2kqz", []int{0, 18}, []int{0, 13}},
		{"web-7d9f8c6b5-x2kqz", 12, false, "web-7d9f8c6…", []int{0, 18}, []int{0}},
		{"名前-テスト-🚀", 9, false, "名前-テ…", nil, nil},
		{"名前-テスト-🚀", 9, true, "名前…-🚀", nil, nil},
		{"abc", 1, true, "…", nil, nil},
	}
	for _, c := range cases {
		got, hl := fitCell(c.text, ansi.StringWidth(c.text), c.w, c.mid, c.hl)
		if got != c.want || !slices.Equal(hl, c.wantH) {
			t.Errorf("fitCell(%q, %d, middle=%v) = %q %v, want %q %v", c.text, c.w, c.mid, got, hl, c.want, c.wantH)
		}
		if w := ansi.StringWidth(got); w > c.w {
			t.Errorf("fitCell(%q, %d) is %d wide", c.text, c.w, w)
		}
	}
}
