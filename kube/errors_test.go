package kube

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// selfSigned makes a CA-capable certificate for 127.0.0.1 valid in
// [notBefore, notAfter].
func selfSigned(t *testing.T, notBefore, notAfter time.Time) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test-apiserver"},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func serverCA(srv *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}

// kubeconfigFor points a single-context kubeconfig at server.
func kubeconfigFor(t *testing.T, server string, ca []byte, auth *clientcmdapi.AuthInfo) *ConfigFlags {
	t.Helper()
	isolate(t)
	if auth == nil {
		auth = &clientcmdapi.AuthInfo{Token: "good-token"}
	}
	path := writeKubeconfig(t, filepath.Join(t.TempDir(), "config"), &clientcmdapi.Config{
		CurrentContext: "test",
		Clusters:       map[string]*clientcmdapi.Cluster{"test": {Server: server, CertificateAuthorityData: ca}},
		AuthInfos:      map[string]*clientcmdapi.AuthInfo{"test": auth},
		Contexts:       map[string]*clientcmdapi.Context{"test": {Cluster: "test", AuthInfo: "test"}},
	})
	f := NewConfigFlags("test")
	f.Kubeconfig = path
	return f
}

func writeAPIStatus(w http.ResponseWriter, err *apierrors.StatusError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(int(err.ErrStatus.Code))
	status := err.ErrStatus
	status.APIVersion, status.Kind = "v1", "Status"
	_ = json.NewEncoder(w).Encode(&status)
}

// apiserver answers pod lists like a minimal API server, after auth.
func apiserver(auth func(r *http.Request) *apierrors.StatusError) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := auth(r); err != nil {
			writeAPIStatus(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		list := corev1.PodList{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "PodList"},
			Items: []corev1.Pod{{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "a"}}}}
		_ = json.NewEncoder(w).Encode(&list)
	})
}

func listPods(f *ConfigFlags) error {
	cs, err := f.Clientset()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	_, err = cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{Limit: 1})
	return err
}

func TestExecCredentialPlugin(t *testing.T) {
	var agent string
	srv := httptest.NewTLSServer(apiserver(func(r *http.Request) *apierrors.StatusError {
		agent = r.UserAgent()
		if r.Header.Get("Authorization") != "Bearer exec-token" {
			return apierrors.NewUnauthorized("Unauthorized")
		}
		return nil
	}))
	defer srv.Close()
	cred := `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token"}}`
	f := kubeconfigFor(t, srv.URL, serverCA(srv), &clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{
		APIVersion:      "client.authentication.k8s.io/v1",
		Command:         "sh",
		Args:            []string{"-c", "printf '%s' '" + cred + "'"},
		InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
	}})
	if err := listPods(f); err != nil {
		t.Fatalf("list through the exec plugin's token: %v (%s)", err, Explain(err))
	}
	if agent != "initwatch/test" {
		t.Errorf("User-Agent %q, want initwatch/test", agent)
	}
}

// TestExplainLive provokes each failure against a real HTTP(S) server and
// checks the one line the user gets.
func TestExplainLive(t *testing.T) {
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "",
		errors.New(`User "alice" cannot list resource "pods" in API group "" at the cluster scope`))
	okAuth := func(*http.Request) *apierrors.StatusError { return nil }

	tests := []struct {
		name  string
		setup func(t *testing.T) *ConfigFlags
		want  []string
		is    func(error) bool
	}{
		{
			name: "connection refused",
			setup: func(t *testing.T) *ConfigFlags {
				l, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				addr := l.Addr().String()
				l.Close()
				return kubeconfigFor(t, "https://"+addr, nil, nil)
			},
			want: []string{"cannot reach the API server at https://127.0.0.1:", "connection refused"},
			is:   IsUnreachable,
		},
		{
			name: "unknown certificate authority",
			setup: func(t *testing.T) *ConfigFlags {
				srv := httptest.NewTLSServer(apiserver(okAuth))
				t.Cleanup(srv.Close)
				return kubeconfigFor(t, srv.URL, nil, nil)
			},
			want: []string{"TLS error talking to https://127.0.0.1:", "unknown authority"},
		},
		{
			name: "expired server certificate",
			setup: func(t *testing.T) *ConfigFlags {
				cert, ca := selfSigned(t, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
				srv := httptest.NewUnstartedServer(apiserver(okAuth))
				srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
				srv.StartTLS()
				t.Cleanup(srv.Close)
				return kubeconfigFor(t, srv.URL, ca, nil)
			},
			want: []string{"TLS error", "expired"},
		},
		{
			name: "plain HTTP behind an https URL",
			setup: func(t *testing.T) *ConfigFlags {
				srv := httptest.NewServer(apiserver(okAuth))
				t.Cleanup(srv.Close)
				return kubeconfigFor(t, strings.Replace(srv.URL, "http://", "https://", 1), nil, nil)
			},
			want: []string{"does not speak TLS"},
		},
		{
			name: "expired token",
			setup: func(t *testing.T) *ConfigFlags {
				srv := httptest.NewTLSServer(apiserver(func(*http.Request) *apierrors.StatusError {
					return apierrors.NewUnauthorized("Unauthorized")
				}))
				t.Cleanup(srv.Close)
				return kubeconfigFor(t, srv.URL, serverCA(srv), nil)
			},
			want: []string{"unauthorized", "expired"},
			is:   IsUnauthorized,
		},
		{
			name: "forbidden",
			setup: func(t *testing.T) *ConfigFlags {
				srv := httptest.NewTLSServer(apiserver(func(*http.Request) *apierrors.StatusError { return forbidden }))
				t.Cleanup(srv.Close)
				return kubeconfigFor(t, srv.URL, serverCA(srv), nil)
			},
			want: []string{`forbidden: pods is forbidden: User "alice" cannot list resource "pods"`, "cluster scope"},
			is:   IsForbidden,
		},
		{
			name: "credential plugin fails",
			setup: func(t *testing.T) *ConfigFlags {
				srv := httptest.NewTLSServer(apiserver(okAuth))
				t.Cleanup(srv.Close)
				return kubeconfigFor(t, srv.URL, serverCA(srv), &clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{
					APIVersion: "client.authentication.k8s.io/v1", Command: "sh", Args: []string{"-c", "echo nope >&2; exit 3"},
					InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
				}})
			},
			want: []string{"credential plugin failed", "exit"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := listPods(tc.setup(t))
			if err == nil {
				t.Fatal("request succeeded")
			}
			msg := Explain(err)
			t.Log(msg)
			if strings.ContainsAny(msg, "\n\r") {
				t.Errorf("Explain spans lines: %q", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("Explain = %q, want it to contain %q", msg, w)
				}
			}
			if tc.is != nil && !tc.is(err) {
				t.Errorf("predicate false for %v", err)
			}
		})
	}
}

func TestExplainSynthetic(t *testing.T) {
	urlErr := func(inner error) error {
		return fmt.Errorf("list pods in all namespaces: %w",
			&url.Error{Op: "Get", URL: "https://k8s.example:6443/api/v1/pods?limit=1", Err: inner})
	}
	tests := []struct {
		name        string
		err         error
		want        string
		unreachable bool
	}{
		{"dns", urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "k8s.example", IsNotFound: true}}),
			`cannot reach the API server at https://k8s.example:6443: host "k8s.example" not found (DNS)`, true},
		{"dial timeout", urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ETIMEDOUT)}),
			"cannot reach the API server at https://k8s.example:6443: timed out", true},
		{"no route", urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}),
			"cannot reach the API server at https://k8s.example:6443: no route to host", true},
		{"deadline", urlErr(context.DeadlineExceeded),
			"cannot reach the API server at https://k8s.example:6443: timed out", true},
		{"service unavailable", apierrors.NewServiceUnavailable("etcd is down"),
			"the API server is unavailable: etcd is down", false},
		{"hostile server message", apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "",
			errors.New("no\x1b]0;pwned\x07 \u202eway\nreally")),
			"forbidden: pods is forbidden: no?]0;pwned? ?way really", false},
		{"selector", &SelectorError{Flag: "label selector", Value: "a in (", Err: errors.New("boom")},
			`invalid label selector "a in (": boom`, false},
		{"nil", nil, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Explain(tc.err); got != tc.want {
				t.Errorf("Explain = %q\n          want %q", got, tc.want)
			}
			if got := IsUnreachable(tc.err); got != tc.unreachable {
				t.Errorf("IsUnreachable = %v", got)
			}
		})
	}
	long := Explain(errors.New(strings.Repeat("x", 5000)))
	if n := len([]rune(long)); n > maxLineRunes+1 {
		t.Errorf("Explain kept %d runes", n)
	}
}

// roundTripFunc lets a test see the request the wrapper passes on.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestRequestTimeoutSparesStreams(t *testing.T) {
	tests := []struct {
		url          string
		wantDeadline bool
	}{
		{"https://k/api/v1/pods?limit=500", true},
		{"https://k/api/v1/namespaces/a/pods/p", true},
		{"https://k/api/v1/pods?watch=true&resourceVersion=5", false},
		{"https://k/api/v1/pods?watch=1", false},
		{"https://k/api/v1/namespaces/a/pods/p/log?follow=true&container=init", false},
		{"https://k/api/v1/namespaces/a/pods/p/log?container=init", true},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			var seen context.Context
			rt := newRequestTimeout(time.Hour)(roundTripFunc(func(r *http.Request) (*http.Response, error) {
				seen = r.Context()
				return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("{}"))}, nil
			}))
			req, err := http.NewRequest(http.MethodGet, tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			if _, has := seen.Deadline(); has != tc.wantDeadline {
				t.Errorf("deadline %v, want %v", has, tc.wantDeadline)
			}
			if err := resp.Body.Close(); err != nil {
				t.Fatal(err)
			}
			if tc.wantDeadline && seen.Err() == nil {
				t.Error("closing the body must release the request's timer")
			}
		})
	}
}
