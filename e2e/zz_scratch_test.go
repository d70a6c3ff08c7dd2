package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

func TestScratchTUI(t *testing.T) {
	cp := shared.Get(t)
	ctx := context.Background()
	admin, _ := cp.AdminClient()
	ensureNamespace(ctx, t, admin, "scr")
	createPods(ctx, t, admin, "scr", "p", 3)
	setInitRunning(ctx, t, admin, "scr", "p-0", 1)
	kc := adminKubeconfig(t, cp)
	_ = controlplane.ContextName
	rt := startRelTerm(t, 120, 30, relEnv(t.TempDir(), "KUBECONFIG="+kc), initwatchBinary(t))
	rt.waitMatch("rows", `p-0`)
	t.Logf("LIST\n%s", rt.screen())
	for _, k := range []string{"?", "Escape", "Enter", "2", "3", "4", "5", "6", "Escape", "/", "p-1"} {
		if k == "p-1" {
			rt.text(k)
		} else {
			rt.keys(k)
		}
		time.Sleep(700 * time.Millisecond)
		t.Logf("AFTER %s\n%s", k, rt.screen())
	}
	t.Logf("title %q", rt.display("#{pane_title}"))
	rt.keys("C-c")
	t.Logf("exit %d", rt.exitStatus())
	t.Logf("END\n%s", rt.screen())
}
