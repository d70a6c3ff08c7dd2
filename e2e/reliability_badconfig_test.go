package e2e

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// badConfigBound is the promise: a bad configuration is reported
// within five seconds, an unreachable server included.
const badConfigBound = 5 * time.Second

// TestBadConfiguration starts initwatch, both as `get` and as the terminal
// UI, with every kind of broken configuration: each must end within five
// seconds with exit status 1 and one line that says what is wrong — on
// stderr for get, on the terminal (after leaving the full screen) for the
// UI — and never a stack trace.
func TestBadConfiguration(t *testing.T) {
	cp := shared.Get(t)
	bin := initwatchBinary(t)
	dir := t.TempDir()
	kc := adminKubeconfig(t, cp)
	ca := clusterCA(t, kc)
	saKey := readRSAKey(t, filepath.Join(cp.Dir(), "sa.key"))
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	nobody, err := cp.AddUser("badconfig-nobody")
	if err != nil {
		t.Fatal(err)
	}
	plainHTTP := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plainHTTP.Close)

	tokenKC := func(name, token string) string {
		return writeKubeconfig(t, dir, name, cp.URL(), ca, token)
	}
	tests := []struct {
		name string
		args []string
		env  []string
		want string // regexp for the one line, after "error: "
	}{
		{"missing kubeconfig file", []string{"--kubeconfig", filepath.Join(dir, "absent")}, nil,
			`.*absent.*(does not exist|no such file)`},
		// Someone with no cluster learns the demo works without one.
		{"no kubeconfig at all", nil, []string{"KUBECONFIG=", "KUBERNETES_SERVICE_HOST=", "KUBERNETES_SERVICE_PORT="},
			`no kubeconfig found: .* \(or try 'initwatch (get )?--demo': a simulated cluster, no kubeconfig needed\)$`},
		{"unknown context", []string{"--kubeconfig", kc, "--context", "nope"}, nil,
			`context "nope" not found`},
		{"token signed by an unknown key", []string{"--kubeconfig", tokenKC("forged", serviceAccountToken(t, otherKey, time.Hour))}, nil,
			`unauthorized`},
		{"expired token", []string{"--kubeconfig", tokenKC("expired", serviceAccountToken(t, saKey, -time.Hour))}, nil,
			`unauthorized`},
		{"token that is not a token", []string{"--kubeconfig", tokenKC("garbage", "not-a-token")}, nil,
			`forbidden.*system:anonymous|unauthorized`},
		{"connection refused", []string{"--kubeconfig", writeKubeconfig(t, dir, "refused", "https://127.0.0.1:"+closedPort(t), ca, "x")}, nil,
			`cannot reach the API server at https://127\.0\.0\.1:\d+: connection refused`},
		{"server never answers", []string{"--kubeconfig", writeKubeconfig(t, dir, "silent", "https://"+silentServer(t), ca, "x")}, nil,
			`cannot reach the API server at .*timed out`},
		{"wrong CA", []string{"--kubeconfig", writeKubeconfig(t, dir, "wrong-ca", cp.URL(), otherCA(t), "x")}, nil,
			`TLS error talking to https://127\.0\.0\.1:\d+: .*(unknown authority|not trusted|verify)`},
		{"plain http behind https", []string{"--kubeconfig", writeKubeconfig(t, dir, "plain", strings.Replace(plainHTTP.URL, "http:", "https:", 1), ca, "x")}, nil,
			`TLS error talking to .*does not speak TLS`},
		{"no rights at all", []string{"--kubeconfig", nobody.Kubeconfig}, nil,
			`forbidden`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line := regexp.MustCompile(`^error: ` + tc.want)
			home := t.TempDir()
			env := append([]string{"HOME=" + home}, tc.env...)

			t.Run("get", func(t *testing.T) {
				res := run(t, env, bin, append([]string{"get"}, tc.args...)...)
				if took := res.end.Sub(res.start); took > badConfigBound {
					t.Errorf("took %s, more than %s", took.Round(time.Millisecond), badConfigBound)
				}
				lines := nonEmptyLines(res.stderr)
				if res.code != 1 || res.stdout != "" || len(lines) != 1 || !line.MatchString(lines[0]) {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and one line matching %q", res.code, res.stdout, res.stderr, line)
				}
			})
			t.Run("tui", func(t *testing.T) {
				started := time.Now()
				rt := startRelTerm(t, 200, 20, relEnv(home, tc.env...), append([]string{bin}, tc.args...)...)
				code := rt.exitStatus()
				if took := time.Since(started); took > badConfigBound {
					t.Errorf("took %s, more than %s", took.Round(time.Millisecond), badConfigBound)
				}
				lines := nonEmptyLines(rt.output())
				if code != 1 || len(lines) != 1 || !line.MatchString(lines[0]) {
					t.Errorf("exit %d, terminal %q; want exit 1 and one line matching %q", code, lines, line)
				}
				if rt.display("#{alternate_on}") != "0" {
					t.Error("left in the alternate screen")
				}
			})
		})
	}
}

// writeKubeconfig writes a kubeconfig for server, trusting caPEM, with a
// bearer token.
func writeKubeconfig(t *testing.T, dir, name, server string, caPEM []byte, token string) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[name] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	cfg.CurrentContext = name
	path := filepath.Join(dir, name+".kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func clusterCA(t *testing.T, kc string) []byte {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(kc)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cfg.Clusters {
		return c.CertificateAuthorityData
	}
	t.Fatal("admin kubeconfig has no cluster")
	return nil
}

// otherCA is a CA certificate that signed nothing the apiserver serves.
func otherCA(t *testing.T) []byte {
	t.Helper()
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}

func readRSAKey(t *testing.T, path string) *rsa.PrivateKey {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// serviceAccountToken signs a service-account JWT with key, expiring
// expiresIn from now (negative: already expired) — what a pod's projected
// token, or a token copied into a kubeconfig, looks like.
func serviceAccountToken(t *testing.T, key *rsa.PrivateKey, expiresIn time.Duration) string {
	t.Helper()
	now := time.Now()
	enc := func(v any) string {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(data)
	}
	head := enc(map[string]string{"alg": "RS256", "typ": "JWT"})
	claims := enc(map[string]any{
		"iss": "https://kubernetes.default.svc", "aud": []string{"https://kubernetes.default.svc"},
		"sub": "system:serviceaccount:default:initwatch",
		"iat": now.Add(-2 * time.Hour).Unix(), "nbf": now.Add(-2 * time.Hour).Unix(), "exp": now.Add(expiresIn).Unix(),
		"kubernetes.io": map[string]any{"namespace": "default",
			"serviceaccount": map[string]string{"name": "initwatch", "uid": "0d6a2c3e-0000-4000-8000-000000000001"}},
	})
	sum := sha256.Sum256([]byte(head + "." + claims))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return head + "." + claims + "." + base64.RawURLEncoding.EncodeToString(sig)
}
