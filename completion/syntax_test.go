package completion

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestScriptSyntax has each shell parse its script without running it, a
// quick first check before the real runs in TestBashScript, TestZshScript
// and TestFishScript. .ci/run installs zsh and fish; elsewhere a missing
// shell is skipped.
func TestScriptSyntax(t *testing.T) {
	for _, shell := range Shells {
		t.Run(shell, func(t *testing.T) {
			bin := needShell(t, shell)
			text, err := Script(shell, "initwatch")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "initwatch."+shell)
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(bin, "-n", path).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", shell, err, out)
			}
		})
	}
}
