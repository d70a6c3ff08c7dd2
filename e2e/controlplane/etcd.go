package controlplane

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// EtcdURL is etcd's client address (plain http on loopback).
func (cp *ControlPlane) EtcdURL() string { return cp.etcdURL }

// WithEtcdDown kills etcd (SIGKILL, as a crash would), runs whileDown, then
// starts etcd again with the same flags, ports and data folder, and waits
// until it answers. The apiserver keeps running throughout: it sees its
// storage vanish and come back. Etcd is restarted even when whileDown fails.
func (cp *ControlPlane) WithEtcdDown(ctx context.Context, whileDown func() error) error {
	cp.mu.Lock()
	old := cp.etcd
	cp.etcd = nil
	cp.mu.Unlock()
	if old == nil {
		return errors.New("restart etcd: not running")
	}
	args := old.cmd.Args[1:]
	if err := old.stop(syscall.SIGKILL); err != nil {
		return fmt.Errorf("kill etcd: %w", err)
	}
	downErr := whileDown()
	p, err := startProcess("etcd", cp.bins.Etcd, args, filepath.Join(cp.dir, "etcd.log"))
	if err != nil {
		return errors.Join(downErr, err)
	}
	cp.mu.Lock()
	cp.etcd = p
	cp.mu.Unlock()
	if err := cp.waitReady(ctx, p, cp.etcdURL+"/health", &http.Client{Timeout: 5 * time.Second}, "etcd.log"); err != nil {
		return errors.Join(downErr, err)
	}
	return downErr
}

// EtcdRevision is etcd's current store revision: the newest resourceVersion
// any object can have.
func (cp *ControlPlane) EtcdRevision(ctx context.Context) (int64, error) {
	// A count-only range over the whole key space; the answer's header
	// carries the revision.
	body := map[string]any{
		"key":        base64.StdEncoding.EncodeToString([]byte{0}),
		"range_end":  base64.StdEncoding.EncodeToString([]byte{0}),
		"count_only": true,
	}
	var resp struct {
		Header struct {
			Revision string `json:"revision"`
		} `json:"header"`
	}
	if err := cp.etcdCall(ctx, "/v3/kv/range", body, &resp); err != nil {
		return 0, err
	}
	rev, err := strconv.ParseInt(resp.Header.Revision, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("etcd revision %q: %w", resp.Header.Revision, err)
	}
	return rev, nil
}

// CompactEtcd compacts etcd's history up to its current revision and
// returns that revision: afterwards, a watch from any older resourceVersion
// that reaches etcd is answered "410 Gone: too old resource version".
func (cp *ControlPlane) CompactEtcd(ctx context.Context) (int64, error) {
	rev, err := cp.EtcdRevision(ctx)
	if err != nil {
		return 0, err
	}
	body := map[string]any{"revision": strconv.FormatInt(rev, 10), "physical": true}
	if err := cp.etcdCall(ctx, "/v3/kv/compaction", body, nil); err != nil {
		return 0, err
	}
	return rev, nil
}

// etcdCall posts a JSON request to etcd's gRPC gateway, which every etcd
// v3 serves on its client port; no etcd client library is needed.
func (cp *ControlPlane) etcdCall(ctx context.Context, path string, body, out any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("etcd %s: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cp.etcdURL+path, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("etcd %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("etcd %s: %w", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("etcd %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("etcd %s: HTTP %d: %s", path, resp.StatusCode, bytes.TrimSpace(raw))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("etcd %s: decode %q: %w", path, raw, err)
	}
	return nil
}
