// Command replay is a benchmark source for initwatch that is not an
// apiserver: a small HTTPS server answering the LIST and WATCH requests
// client-go's informers make for pods and events (plain lists, paged lists,
// streaming lists, watches from a resourceVersion), from pods encoded once
// at start (protobuf, as kube-apiserver serves initwatch, or JSON), and
// emitting changes at a set rate, each stamped with the time it was sent
// (annotation bench.initwatch.dev/sent). initwatch runs unchanged against
// it through the kubeconfig it writes. Sending a change costs a copy and two
// overwritten placeholders, so on a shared machine the replay leaves the CPU
// to the program measured: what initwatch can take, measured where the
// apiserver is not the bottleneck. It is a benchmark tool, not a test mock;
// the real-apiserver runs (bench/tuiscale) stay.
//
// The pods are those of bench/tuiscale's load (e2e/podgen's spread over
// four init containers, 20 namespaces), with a uid, creation time and
// managed fields as the apiserver stores them, and six kubelet-like events
// each. A few pods carry the label zzbench=latency: probes go to them.
//
// It is driven over stdin, one command a line, and answers on stdout:
//
//	rate N          emit N background changes a second (0 stops)
//	probe-every D   a probe every D (a Go duration; 0 stops)
//	stats           print "stats {json}" (counters, the replay's CPU)
//	quit            exit (so does end of input)
//
// At start it prints "targets NAME..." (in the order probes visit them:
// probe k goes to target k mod their count, restart count 1000+k), then
// "ready KUBECONFIG"; every probe prints
// "probe NAME COUNT SENT_UNIX_NANOS". bench/tuiscale drives it.
package main

import (
	"bufio"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

func main() {
	pods := flag.Int("pods", 10000, "pods to serve")
	namespaces := flag.Int("namespaces", 20, "namespaces the pods are spread over")
	targets := flag.Int("targets", 16, "pods labelled zzbench=latency that probes change")
	formatName := flag.String("format", "protobuf", "wire format: protobuf (as the apiserver serves initwatch) or json")
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig to write (default: replay.kubeconfig in a new temporary directory)")
	templates := flag.String("templates", "", "pod templates (default: testdata/e2e/templates of this repository)")
	flag.Parse()
	if err := run(*pods, *namespaces, *targets, *formatName, *kubeconfig, *templates); err != nil {
		fmt.Fprintln(os.Stderr, "replay:", err)
		os.Exit(1)
	}
}

func run(pods, namespaces, targets int, formatName, kubeconfig, templates string) error {
	f, err := parseFormat(formatName)
	if err != nil {
		return err
	}
	if pods <= 0 || namespaces <= 0 || targets < 0 {
		return fmt.Errorf("-pods, -namespaces must be positive and -targets not negative")
	}
	if templates == "" {
		root, err := controlplane.RepoRoot()
		if err != nil {
			return err
		}
		templates = filepath.Join(root, "testdata", "e2e", "templates")
	}
	base := time.Now()
	set, err := newPodSet(templates, pods, namespaces, targets, f, base)
	if err != nil {
		return err
	}
	s := newServer(set, f, base)
	srv, err := startTLS(s)
	if err != nil {
		return err
	}
	defer srv.Close()
	if kubeconfig == "" {
		dir, err := os.MkdirTemp("", "initwatch-replay-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		kubeconfig = filepath.Join(dir, "replay.kubeconfig")
	}
	if err := writeKubeconfig(srv, kubeconfig); err != nil {
		return err
	}

	var outMu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	say := func(format string, args ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(out, format+"\n", args...)
		out.Flush()
	}
	e := newEmitter(s, func(name string, count int32, sent int64) {
		say("probe %s %d %d", name, count, sent)
	})
	stop := make(chan struct{})
	emitErr := make(chan error, 1)
	go func() { emitErr <- e.run(stop) }()
	defer close(stop)
	var names []string
	for _, i := range set.targets {
		names = append(names, set.names[i])
	}
	say("targets %s", strings.Join(names, " "))
	say("ready %s", kubeconfig)
	return commands(os.Stdin, e, s, say, emitErr)
}

// commands runs the commands read from in until quit or end of input.
func commands(in *os.File, e *emitter, s *server, say func(string, ...any), emitErr <-chan error) error {
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var rate int
	var every time.Duration
	for {
		var line string
		var ok bool
		select {
		case err := <-emitErr:
			return err
		case line, ok = <-lines:
		}
		if !ok {
			return nil
		}
		cmd, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch cmd {
		case "rate":
			n, err := strconv.Atoi(arg)
			if err != nil || n < 0 {
				say("error rate %q: want a count", arg)
				continue
			}
			rate = n
			e.set(rate, every)
		case "probe-every":
			d, err := time.ParseDuration(arg)
			if err != nil || d < 0 {
				say("error probe-every %q: want a duration", arg)
				continue
			}
			every = d
			e.set(rate, every)
		case "stats":
			st := statsLine{counters: s.snapshot(), CPUNanos: ownCPU().Nanoseconds()}
			b, _ := json.Marshal(st)
			say("stats %s", b)
		case "quit":
			return nil
		case "":
		default:
			say("error unknown command %q", cmd)
		}
	}
}

type statsLine struct {
	counters
	CPUNanos int64 `json:"cpuNanos"` // user+system time of the replay process
}

func ownCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startTLS(h http.Handler) (*httptest.Server, error) {
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	return srv, nil
}

// writeKubeconfig writes a kubeconfig for srv: its CA, no credentials.
func writeKubeconfig(srv *httptest.Server, path string) error {
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	kc := clientcmdapi.NewConfig()
	kc.Clusters["replay"] = &clientcmdapi.Cluster{Server: srv.URL, CertificateAuthorityData: ca}
	kc.AuthInfos["replay"] = &clientcmdapi.AuthInfo{}
	kc.Contexts["replay"] = &clientcmdapi.Context{Cluster: "replay", AuthInfo: "replay"}
	kc.CurrentContext = "replay"
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	return nil
}
