package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// hostilePieces are what anyone who can write a pod's status, an event or
// a container's output could send to the terminal of whoever watches: each
// would, printed raw, take over part of that terminal.
var hostilePieces = []string{
	"\x1b]0;PWNED-TITLE\x07",                           // set the window title (OSC 0, BEL)
	"\x1b]2;PWNED-TITLE\x1b\\",                         // set the window title (OSC 2, ST)
	"\x1b[2J\x1b[H",                                    // clear the screen, cursor home
	"\x1b[38;2;11;22;33m\x1b[48;2;44;55;66m",           // colours that stay set
	"\u009b2J",                                         // C1 CSI: clear screen on 8-bit terminals
	"\x1b]52;c;UFdORUQtQ0xJUEJPQVJE\x07",               // write the clipboard (OSC 52)
	"\x1b[?1049l",                                      // leave the alternate screen
	"\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07", // a hyperlink that hides its target
	"\x1b[1;1Hhome-text",                               // write over the header
	"\u202eexe.txt\u202c",                              // right-to-left override
	"\u2067rtl\u2069",                                  // right-to-left isolate
	"zero\u200bwidth\u200d\ufeffjoin",                  // invisible characters
	"visible\b\b\b\b\b\b\bHIDDEN",                      // backspaces over text
	"visible\rHIDDEN",                                  // carriage return over text
	"\x07",                                             // bell
}

// hostile is every piece in one string, between markers.
var hostile = "EVIL<" + strings.Join(hostilePieces, "|") + ">"

// huge is a string far longer than any screen.
func huge(n int) string { return "HUGE-" + strings.Repeat("x", n) + "-END" }

// rawTerminalRunes returns what in s would act on a terminal instead of
// being displayed: ESC and every other C0 control except newline, DEL, C1
// controls, bidi controls and invisible characters.
func rawTerminalRunes(s string) []string {
	var bad []string
	if !utf8.ValidString(s) {
		bad = append(bad, "invalid UTF-8")
	}
	seen := map[rune]bool{}
	for _, r := range s {
		var what string
		switch {
		case r == '\n':
		case r == 0x1b:
			what = "ESC"
		case r < 0x20 || r == 0x7f:
			what = fmt.Sprintf("C0 control %U", r)
		case r >= 0x80 && r <= 0x9f:
			what = fmt.Sprintf("C1 control %U", r)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			what = fmt.Sprintf("bidi control %U", r)
		case r >= 0x200b && r <= 0x200d, r == 0x2060, r == 0xfeff, r >= 0xe0000 && r <= 0xe007f:
			what = fmt.Sprintf("invisible %U", r)
		}
		if what != "" && !seen[r] {
			seen[r] = true
			bad = append(bad, what)
		}
	}
	return bad
}

// hostileFixture creates, in ns, two pods whose every free-text field is
// hostile, events about them, and a node whose kubelet serves hostile logs.
func hostileFixture(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns string) {
	t.Helper()
	ensureNamespace(ctx, t, cs, ns)
	node := "hostile-node"
	kubelet := startFakeKubelet(t, func(_, _, _ string, previous bool) []string {
		lines := []string{"LOG-FIRST"}
		lines = append(lines, hostilePieces...)
		lines = append(lines, hostile, huge(1<<20))
		if previous {
			lines = append(lines, "PREVIOUS-RUN "+hostile)
		}
		return append(lines, "LOG-LAST")
	})
	kubelet.registerNode(ctx, t, cs, node)

	image := "busybox" + hostile
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "evil-0", Namespace: ns, Annotations: map[string]string{"note": hostile}},
		Spec: corev1.PodSpec{
			NodeName:       node,
			InitContainers: []corev1.Container{{Name: "migrate", Image: image}, {Name: "setup", Image: image}},
			Containers:     []corev1.Container{{Name: "app", Image: image}},
		},
	}
	pod, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create evil-0: %v", err)
	}
	start := metav1.NewTime(time.Now().Add(-5 * time.Minute).Truncate(time.Second))
	pod.Status = corev1.PodStatus{
		Phase:   corev1.PodPending,
		Message: hostile,
		Conditions: []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: start},
			{Type: corev1.PodInitialized, Status: corev1.ConditionFalse, LastTransitionTime: start,
				Reason: "Evil" + hostile, Message: hostile + huge(200<<10)},
			{Type: corev1.PodReady, Status: corev1.ConditionFalse, LastTransitionTime: start, Reason: "ContainersNotReady", Message: hostile},
		},
		InitContainerStatuses: []corev1.ContainerStatus{
			{Name: "migrate", Image: image, ImageID: "sha256:" + hostile, RestartCount: 3, Started: new(true),
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: start}},
				LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
					ExitCode: 1, Reason: "Error" + hostile, Message: hostile + huge(64<<10), StartedAt: start, FinishedAt: start}}},
			{Name: "setup", Image: image,
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing", Message: hostile}}},
		},
		ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Image: image,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing", Message: hostile}}}},
	}
	if _, err := cs.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("write the hostile status of evil-0: %v", err)
	}

	// evil-1: the pod-level reason is what STATUS shows, in the list and
	// in `get`.
	other := initPod(ns, "evil-1")
	other.Spec.NodeName = node
	other, err = cs.CoreV1().Pods(ns).Create(ctx, other, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create evil-1: %v", err)
	}
	other.Status = corev1.PodStatus{Phase: corev1.PodFailed, Reason: "Evil" + hostile, Message: hostile}
	if _, err := cs.CoreV1().Pods(ns).UpdateStatus(ctx, other, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("write the hostile status of evil-1: %v", err)
	}

	for i, msg := range []string{hostile, huge(100 << 10), "plain message after the hostile ones"} {
		ev := &corev1.Event{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("evil-0.%d", i), Namespace: ns},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: "evil-0", UID: pod.UID,
				APIVersion: "v1", FieldPath: "spec.initContainers{migrate}"},
			Reason: "Evil" + hostile, Message: msg, Type: corev1.EventTypeWarning, Count: int32(i + 1),
			FirstTimestamp: start, LastTimestamp: metav1.NewTime(start.Add(time.Duration(i) * time.Second)),
			Source: corev1.EventSource{Component: "kubelet" + hostile, Host: node},
		}
		if _, err := cs.CoreV1().Events(ns).Create(ctx, ev, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create event %d: %v", i, err)
		}
	}
}

// hostileKubeconfig is the admin kubeconfig with a hostile context name:
// a kubeconfig handed over by someone else is text from outside too. YAML
// refuses raw control characters, so the name is written with escapes.
func hostileKubeconfig(t *testing.T, cp *controlplane.ControlPlane, dir string) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(adminKubeconfig(t, cp))
	if err != nil {
		t.Fatal(err)
	}
	const placeholder = "HOSTILE-CONTEXT-NAME"
	cfg.Contexts[placeholder] = cfg.Contexts[cfg.CurrentContext]
	delete(cfg.Contexts, cfg.CurrentContext)
	cfg.CurrentContext = placeholder
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.ReplaceAll(data, []byte(placeholder), []byte(yamlQuote("ctx"+hostile)))
	path := filepath.Join(dir, "hostile.kubeconfig")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if back, err := clientcmd.LoadFromFile(path); err != nil || back.CurrentContext != "ctx"+hostile {
		t.Fatalf("the hostile kubeconfig does not load back: %v", err)
	}
	return path
}

// yamlQuote writes s as a YAML double-quoted scalar with every character
// outside printable ASCII escaped.
func yamlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			fmt.Fprintf(&b, "\\U%08x", r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestHostileTextGet checks that `initwatch get`, as a table and as a
// stream, prints hostile cluster text only in a displayable form.
func TestHostileTextGet(t *testing.T) {
	cp := shared.Get(t)
	ctx := context.Background()
	admin, err := cp.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	const ns = "hostile-get"
	hostileFixture(ctx, t, admin, ns)
	bin := initwatchBinary(t)
	kc := hostileKubeconfig(t, cp, t.TempDir())

	res := run(t, nil, bin, "get", "-n", ns, "--kubeconfig", kc)
	if res.code != 0 {
		t.Fatalf("get: exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "evil-0") || !strings.Contains(res.stdout, "evil-1") {
		t.Fatalf("get does not list the pods:\n%s", res.stdout)
	}
	if bad := rawTerminalRunes(res.stdout + res.stderr); len(bad) > 0 {
		t.Errorf("get printed %v raw:\n%q", bad, res.stdout)
	}
	for _, l := range strings.Split(res.stdout, "\n") {
		if strings.HasPrefix(l, ns+" ") && utf8.RuneCountInString(l) > 2000 {
			t.Errorf("a row is %d characters long", utf8.RuneCountInString(l))
		}
	}

	// The stream: the table, then a change to a hostile pod.
	cmd := exec.Command(bin, "get", "-w", "-n", ns, "--kubeconfig", kc)
	var out, errOut lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	eventually(t, "the table of get -w", func() string {
		if strings.Contains(out.String(), "evil-1") {
			return ""
		}
		return fmt.Sprintf("stdout %q, stderr %q", out.String(), errOut.String())
	})
	pod, err := admin.CoreV1().Pods(ns).Get(ctx, "evil-1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod.Status.Reason = "Changed" + hostile
	if _, err := admin.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the change in get -w", func() string {
		if strings.Contains(out.String(), "Changed") {
			return ""
		}
		return fmt.Sprintf("stdout %q", out.String())
	})
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if bad := rawTerminalRunes(out.String() + errOut.String()); len(bad) > 0 {
		t.Errorf("get -w printed %v raw:\n%q", bad, out.String())
	}

	// JSON is for programs, but it lands on terminals too (get -o json |
	// less, or no pipe at all). encoding/json escapes C0 controls but
	// writes C1 controls, bidi overrides and invisible characters raw;
	// JSON can carry every one of them as a \uXXXX escape instead.
	js := run(t, nil, bin, "get", "-o", "json", "-n", ns, "--kubeconfig", kc)
	if js.code != 0 {
		t.Fatalf("get -o json: exit %d: %s", js.code, js.stderr)
	}
	if bad := rawTerminalRunes(js.stdout); len(bad) > 0 {
		t.Errorf("get -o json printed %v raw; write them as \\uXXXX escapes", bad)
	}
}

// TestHostileTextTUI shows the hostile pods in the terminal UI, in colour,
// through the list, every pane of the detail view and the logs (current
// and previous run), and after each step checks the terminal: the title,
// the clipboard (tmux's paste buffers), the colours on screen, the
// alternate screen, the header in its place, and no control, bidi or
// invisible character in any cell.
func TestHostileTextTUI(t *testing.T) {
	cp := shared.Get(t)
	ctx := context.Background()
	admin, err := cp.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	const ns = "hostile-tui"
	hostileFixture(ctx, t, admin, ns)
	kc := hostileKubeconfig(t, cp, t.TempDir())
	rt := startRelTerm(t, 160, 45, relEnv(t.TempDir()), initwatchBinary(t), "-n", ns, "--kubeconfig", kc)
	title := rt.display("#{host}")

	check := func(view string) {
		t.Helper()
		screen := rt.screen()
		for _, p := range takeoverSigns(rt, title) {
			t.Errorf("%s: %s", view, p)
		}
		if rt.display("#{alternate_on}") != "1" {
			t.Errorf("%s: the program was thrown out of the alternate screen", view)
		}
		if !strings.HasPrefix(screen, "initwatch") {
			t.Errorf("%s: the header is not where it belongs; screen:\n%s", view, screen)
		}
		if dead := rt.display("#{pane_dead}"); dead != "0" {
			t.Fatalf("%s: initwatch exited; screen:\n%s", view, screen)
		}
	}

	rt.waitFor("the hostile pods", `evil-0`, `evil-1\s.*Evil`)
	check("list")
	rt.keys("/")
	rt.text("evil-0")
	rt.keys("Enter")
	rt.waitFor("the filtered list", `/evil-0 \(1\)`)
	rt.keys("Enter")
	rt.waitFor("the detail of evil-0", `(?m)^`+ns+`/evil-0 `)
	panes := []struct{ key, name, want string }{
		{"1", "init containers", `migrate`},
		{"2", "conditions", `Initialized`},
		{"3", "events", `plain message after the hostile ones`},
		{"4", "history", `Init:0/2`},
		{"5", "resources", `migrate`},
	}
	for _, p := range panes {
		rt.keys(p.key)
		rt.waitFor(p.name, p.want)
		check(p.name)
		rt.keys("G") // the end of the pane: the huge texts are there
		check(p.name + " (end)")
	}
	rt.keys("6")
	rt.waitFor("the logs", `LOG-LAST`)
	check("logs")
	rt.keys("g")
	rt.waitFor("the top of the logs", `LOG-FIRST`)
	check("logs (top)")
	rt.keys("w")
	check("logs (wrap toggled)")
	rt.keys("p")
	rt.waitFor("the previous run's logs", `PREVIOUS-RUN`)
	check("previous logs")
	rt.keys("Escape")
	rt.waitFor("the list again", `NAMESPACE\s+NAME`)
	check("list after the detail view")
}

// takeoverSigns lists what shows that raw hostile text reached the
// terminal: a changed window title, a written clipboard, a bell, the
// injected colours, the payload of an OSC on screen, or a control, bidi or
// invisible character in a cell.
func takeoverSigns(rt *term, title string) []string {
	rt.t.Helper()
	var signs []string
	if got := rt.display("#{pane_title}"); got != title {
		signs = append(signs, fmt.Sprintf("the window title became %q", got))
	}
	if bufs := strings.TrimSpace(rt.tmux("list-buffers", "-F", "#{buffer_sample}")); bufs != "" {
		signs = append(signs, fmt.Sprintf("the clipboard was written: %q", bufs))
	}
	if rt.display("#{window_bell_flag}") != "0" {
		signs = append(signs, "the terminal bell rang")
	}
	esc := rt.screenWithEscapes()
	for _, c := range []string{"38;2;11;22;33", "48;2;44;55;66"} {
		if strings.Contains(esc, c) {
			signs = append(signs, "the injected colour "+c+" is on screen")
		}
	}
	screen := rt.screen()
	if strings.Contains(screen, "PWNED") || strings.Contains(screen, "evil.example") {
		signs = append(signs, "the payload of an escape sequence (title, clipboard, link target) is on screen:\n"+screen)
	}
	if bad := rawTerminalRunes(screen); len(bad) > 0 {
		signs = append(signs, fmt.Sprintf("the screen holds %v", bad))
	}
	return signs
}

// TestHostileTextDetectors proves the checks above can fail: the same
// hostile text, printed raw by cat, is caught by each of them.
func TestHostileTextDetectors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "hostile.txt")
	if err := os.WriteFile(file, []byte(strings.Join(hostilePieces, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rt := startRelTerm(t, 120, 30, relEnv(dir), "sh", "-c", "cat "+file+"; echo CAT-DONE; sleep 60")
	title := rt.display("#{host}")
	rt.waitFor("cat to finish", `CAT-DONE`)
	signs := strings.Join(takeoverSigns(rt, title), "\n")
	for _, want := range []string{"window title", "clipboard", "bell", "38;2;11;22;33", "bidi control"} {
		if !strings.Contains(signs, want) {
			t.Errorf("raw hostile text went unnoticed by the %q check; signs:\n%s", want, signs)
		}
	}
}
