package kube

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"
)

// dialUntilFirstByte dials with the dialer's timeout and keeps that same
// limit on the connection until the server sends its first byte. A server
// that accepts connections but never answers (a black-holed load balancer,
// a wedged apiserver) then fails within the dial timeout instead of
// client-go's 10 s TLS handshake default; once the server has spoken, the
// deadline is lifted so long watches and log follows are never cut.
func dialUntilFirstByte(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if d.Timeout <= 0 {
			return conn, nil
		}
		if err := conn.SetDeadline(time.Now().Add(d.Timeout)); err != nil {
			conn.Close()
			return nil, fmt.Errorf("set deadline on connection to %s: %w", addr, err)
		}
		return &firstByteConn{Conn: conn}, nil
	}
}

// firstByteConn lifts its deadline after the first successful read.
type firstByteConn struct {
	net.Conn
	lift sync.Once
}

func (c *firstByteConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.lift.Do(func() { _ = c.Conn.SetDeadline(time.Time{}) })
	}
	return n, err
}
