package kube

import (
	"context"
	"io"
	"net/http"
	"time"

	"k8s.io/client-go/transport"
)

// newRequestTimeout applies --request-timeout to each request that is meant
// to end: lists, gets, probes. Watches and followed log streams are exempt;
// rest.Config.Timeout would end them after the same duration, turning a
// healthy session into a reconnect loop.
func newRequestTimeout(limit time.Duration) transport.WrapperFunc {
	return func(next http.RoundTripper) http.RoundTripper {
		return &requestTimeout{next: next, limit: limit}
	}
}

type requestTimeout struct {
	next  http.RoundTripper
	limit time.Duration
}

func (t *requestTimeout) RoundTrip(req *http.Request) (*http.Response, error) {
	if isStreaming(req) {
		return t.next.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.limit)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	// The deadline must also cover reading the body, and be released when
	// the caller is done with it.
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// WrappedRoundTripper lets client-go's debugging wrappers see through.
func (t *requestTimeout) WrappedRoundTripper() http.RoundTripper { return t.next }

func isStreaming(req *http.Request) bool {
	q := req.URL.Query()
	for _, key := range []string{"watch", "follow"} {
		switch q.Get(key) {
		case "true", "1":
			return true
		}
	}
	return false
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
