package controlplane

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// auditPolicy records every request once it is answered (and, for watches
// and log streams, also when the response starts), with who sent it, the
// verb and the object — no bodies: the tests judge what a client asked for,
// not what it read.
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
`

// Audit is the apiserver's audit log, enabled by EnableAudit.
type Audit struct {
	// Path is the JSON-lines file the apiserver appends to.
	Path string
}

// EnableAudit writes an audit policy into dir and adds the flags that make
// the apiserver log every request to dir/audit.log, synchronously (the
// "blocking" mode: a request is in the log before its response is sent, so a
// test that has seen the response can read the log).
func EnableAudit(opts *Options, dir string) (*Audit, error) {
	policy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(auditPolicy), 0o600); err != nil {
		return nil, fmt.Errorf("write audit policy: %w", err)
	}
	a := &Audit{Path: filepath.Join(dir, "audit.log")}
	opts.ExtraAPIServerArgs = append(opts.ExtraAPIServerArgs,
		"--audit-policy-file="+policy,
		"--audit-log-path="+a.Path,
		"--audit-log-format=json",
		"--audit-log-mode=blocking",
		"--audit-log-maxsize=0", // never rotate: a test reads one file
	)
	return a, nil
}

// AuditEvent is the part of an audit.k8s.io/v1 Event the tests look at.
type AuditEvent struct {
	AuditID    string `json:"auditID"`
	Stage      string `json:"stage"`
	RequestURI string `json:"requestURI"`
	Verb       string `json:"verb"`
	User       struct {
		Username string   `json:"username"`
		Groups   []string `json:"groups"`
	} `json:"user"`
	UserAgent string `json:"userAgent"`
	ObjectRef *struct {
		Resource    string `json:"resource"`
		Namespace   string `json:"namespace"`
		Name        string `json:"name"`
		APIGroup    string `json:"apiGroup"`
		Subresource string `json:"subresource"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
	RequestReceived time.Time `json:"requestReceivedTimestamp"`
	StageTime       time.Time `json:"stageTimestamp"`
}

// Resource is "resource/subresource" of the request's object ("pods",
// "pods/log"), or "" for requests outside the resource API (/readyz, /api).
func (e *AuditEvent) Resource() string {
	if e.ObjectRef == nil {
		return ""
	}
	if e.ObjectRef.Subresource != "" {
		return e.ObjectRef.Resource + "/" + e.ObjectRef.Subresource
	}
	return e.ObjectRef.Resource
}

// Namespace is the request's namespace ("" for cluster-scoped requests).
func (e *AuditEvent) Namespace() string {
	if e.ObjectRef == nil {
		return ""
	}
	return e.ObjectRef.Namespace
}

// Code is the HTTP status of the response, 0 when none was recorded.
func (e *AuditEvent) Code() int {
	if e.ResponseStatus == nil {
		return 0
	}
	return e.ResponseStatus.Code
}

// Requests reads the log and returns one event per request (the last stage
// recorded for each audit ID), in the order the requests were received,
// keeping those for which keep returns true (nil keeps all).
func (a *Audit) Requests(keep func(*AuditEvent) bool) ([]AuditEvent, error) {
	data, err := os.ReadFile(a.Path)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	index := map[string]int{}
	var out []AuditEvent
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var ev AuditEvent
		if err := json.Unmarshal(line, &ev); err != nil {
			// The apiserver writes whole lines; a torn one can only be the
			// last, still being written.
			continue
		}
		if keep != nil && !keep(&ev) {
			continue
		}
		if i, ok := index[ev.AuditID]; ok {
			out[i] = ev
			continue
		}
		index[ev.AuditID] = len(out)
		out = append(out, ev)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

// ByUser keeps the requests of one user.
func ByUser(name string) func(*AuditEvent) bool {
	return func(e *AuditEvent) bool { return e.User.Username == name }
}

// StartWithOptions starts a private control plane with opts, stopped by
// t.Cleanup; StartForTest is the same with no options.
func StartWithOptions(t testing.TB, opts Options) *ControlPlane {
	t.Helper()
	bins := RequireBinaries(t)
	cp, err := Start(context.Background(), bins, opts)
	if err != nil {
		t.Fatalf("start control plane: %v", err)
	}
	t.Cleanup(func() {
		if err := cp.Stop(); err != nil {
			t.Errorf("stop control plane: %v", err)
		}
	})
	return cp
}
