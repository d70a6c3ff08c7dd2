package e2e

import (
	"testing"
)

func TestScratchNobody(t *testing.T) {
	cp := shared.Get(t)
	nobody, _ := cp.AddUser("scr-nobody")
	rt := startRelTerm(t, 120, 20, relEnv(t.TempDir()), initwatchBinary(t), "--kubeconfig", nobody.Kubeconfig)
	t.Logf("exit %d", rt.exitStatus())
	t.Logf("screen:\n%s", rt.screen())
	t.Logf("hist:\n%q", rt.tmux("capture-pane", "-p", "-e", "-S", "-", "-t", "rel"))
}
