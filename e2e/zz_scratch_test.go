package e2e

import (
	"testing"
	"time"
)

func TestScratchFilter(t *testing.T) {
	cp := shared.Get(t)
	terminalFixture(t, cp, "scr")
	kc := adminKubeconfig(t, cp)
	rt := startRelTerm(t, 120, 12, relEnv(t.TempDir(), "KUBECONFIG="+kc), initwatchBinary(t), "-n", "scr")
	rt.waitMatch("rows", `term-0`)
	rt.keys("/", "t")
	time.Sleep(500 * time.Millisecond)
	t.Logf("AFTER / t\n%s", rt.screen())
	rt.keys("Escape")
	time.Sleep(300 * time.Millisecond)
	rt.keys("j", "j", "Enter")
	time.Sleep(500 * time.Millisecond)
	t.Logf("AFTER jjEnter\n%s", rt.screen())
}
