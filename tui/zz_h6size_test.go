package tui

import (
	"testing"
	"unsafe"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/themes"
)

func TestH6Size(t *testing.T) {
	var a App
	var th themes.Theme
	var km keymap.KeyMap
	t.Logf("App %d detail %d filter %d help %d opts %d theme %d keys %d rowStyles %d lay %d", unsafe.Sizeof(a), unsafe.Sizeof(a.detail), unsafe.Sizeof(a.filter), unsafe.Sizeof(a.help), unsafe.Sizeof(a.opts), unsafe.Sizeof(th), unsafe.Sizeof(km), unsafe.Sizeof(a.rowStyle), unsafe.Sizeof(a.lay))
}
