package tui

import (
	"fmt"
	"os"
	"testing"

	"github.com/muesli/termenv"

	"github.com/initwatch/initwatch/themes"
)

func TestDetailZZDebug(t *testing.T) {
	if os.Getenv("DETAIL_DEBUG") == "" {
		t.Skip()
	}
	detailProfile(t, termenv.Ascii)
	sc := os.Getenv("DETAIL_DEBUG")
	var w, h int
	fmt.Sscanf(os.Getenv("DETAIL_SIZE"), "%dx%d", &w, &h)
	d := newTestDetail(t, sc, themes.Dark(), w, h)
	for p := 0; p < detailPaneCount; p++ {
		d, _ = d.SelectPane(Pane(p))
		fmt.Println("=====", Pane(p))
		fmt.Println(d.View())
		fmt.Println("----- full")
		for _, l := range d.content[p] {
			fmt.Println(l)
		}
	}
}
