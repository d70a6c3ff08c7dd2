package e2e

import (
	"fmt"
	"testing"
	"time"
)

func TestScratchFilter(t *testing.T) {
	cp := shared.Get(t)
	terminalFixture(t, cp, "scr")
	kc := adminKubeconfig(t, cp)
	rt := startRelShell(t, 120, 12, relEnv(t.TempDir()))
	for i := range 2 {
		rt.run(fmt.Sprintf("clear; %s -n scr --kubeconfig %s", initwatchBinary(t), kc))
		rt.waitMatch("rows", `term-0`)
		t.Logf("%d START\n%s", i, rt.screen())
		rt.keys("/")
		time.Sleep(500 * time.Millisecond)
		t.Logf("%d AFTER /\n%s", i, rt.screen())
		rt.keys("C-c")
		time.Sleep(500 * time.Millisecond)
		if i == 0 {
			rt.run("stty -a")
			time.Sleep(500 * time.Millisecond)
			t.Logf("%d STTY\n%s", i, rt.screen())
		}
	}
}
