package kube

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/clientcmd"
)

// SelectorError reports a label or field selector the API machinery cannot
// parse; it is returned before any request is made.
type SelectorError struct {
	Flag  string // "label selector" or "field selector"
	Value string
	Err   error
}

func (e *SelectorError) Error() string {
	return fmt.Sprintf("invalid %s %q: %v", e.Flag, e.Value, e.Err)
}

func (e *SelectorError) Unwrap() error { return e.Err }

// ForbiddenError is returned by Run when the user may list pods in none of
// the scopes tried. Scopes holds "" for the cluster scope, then namespaces.
type ForbiddenError struct {
	Scopes []string
	Err    error // the server's answer for the last scope tried
}

func (e *ForbiddenError) Error() string {
	var where []string
	for _, s := range e.Scopes {
		if s == "" {
			where = append(where, "across all namespaces")
		} else {
			where = append(where, fmt.Sprintf("in namespace %q", s))
		}
	}
	msg := "forbidden: you may not list pods " + strings.Join(where, ", nor ")
	if e.Err != nil {
		msg += " (server: " + statusMessage(e.Err) + ")"
	}
	return msg
}

func (e *ForbiddenError) Unwrap() error { return e.Err }

// IsForbidden reports an RBAC refusal (HTTP 403), also one wrapped by
// ForbiddenError.
func IsForbidden(err error) bool {
	var fe *ForbiddenError
	return errors.As(err, &fe) || apierrors.IsForbidden(err)
}

// IsUnauthorized reports credentials the server rejected (HTTP 401):
// expired or invalid tokens or certificates.
func IsUnauthorized(err error) bool {
	return apierrors.IsUnauthorized(err)
}

// IsUnreachable reports that no answer came back from the server: the
// connection was refused, timed out, had no route, or the host name does not
// resolve.
func IsUnreachable(err error) bool {
	if err == nil {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	return false
}

// Explain turns an error from this package (or from client-go under it) into
// one line a user can act on. The line has no control characters, so it is
// safe to print to a terminal.
func Explain(err error) string {
	if err == nil {
		return ""
	}
	return sanitizeLine(explain(err))
}

func explain(err error) string {
	var selErr *SelectorError
	if errors.As(err, &selErr) {
		return selErr.Error()
	}
	var forbidden *ForbiddenError
	if errors.As(err, &forbidden) {
		return forbidden.Error()
	}
	if msg, ok := explainConfig(err); ok {
		return msg
	}
	switch {
	case apierrors.IsUnauthorized(err):
		return "unauthorized: the API server rejected the credentials (missing, invalid or expired token or certificate); log in again or check --context/--user"
	case apierrors.IsForbidden(err):
		return "forbidden: " + statusMessage(err)
	}
	if msg, ok := explainTLS(err); ok {
		return msg
	}
	if msg, ok := explainNetwork(err); ok {
		return msg
	}
	if msg := err.Error(); strings.Contains(msg, "getting credentials: exec") {
		return "credential plugin failed: " + msg[strings.Index(msg, "exec"):]
	}
	switch {
	case apierrors.IsTooManyRequests(err), apierrors.IsServiceUnavailable(err),
		apierrors.IsServerTimeout(err), apierrors.IsTimeout(err), apierrors.IsInternalError(err):
		return "the API server is unavailable: " + statusMessage(err)
	case apierrors.IsNotFound(err):
		return "not found on the API server: " + statusMessage(err)
	}
	return err.Error()
}

// explainConfig covers kubeconfig resolution errors from clientcmd.
func explainConfig(err error) (string, bool) {
	if inChain(err, clientcmd.IsEmptyConfig) {
		return "no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or create ~/.kube/config", true
	}
	if m := missingEntry.FindStringSubmatch(err.Error()); m != nil {
		kind := m[1]
		if kind == "auth info" {
			kind = "user"
		}
		return fmt.Sprintf("%s %s not found in kubeconfig (see: kubectl config get-contexts)", kind, m[2]), true
	}
	if inChain(err, clientcmd.IsContextNotFound) {
		const marker = "context was not found for specified context: "
		msg := err.Error()
		if i := strings.Index(msg, marker); i >= 0 {
			name := msg[i+len(marker):]
			if j := strings.IndexAny(name, ",]"); j >= 0 {
				name = name[:j]
			}
			return fmt.Sprintf("context %q not found in kubeconfig (see: kubectl config get-contexts)", name), true
		}
		return "no kubeconfig context selected: set current-context or pass --context", true
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) && errors.Is(err, fs.ErrNotExist) {
		// The kubeconfig itself, or a certificate or key file it names.
		return fmt.Sprintf("cannot load kubeconfig: %s does not exist", pathErr.Path), true
	}
	if inChain(err, clientcmd.IsConfigurationInvalid) {
		return err.Error(), true
	}
	return "", false
}

// missingEntry matches clientcmd's errors for a --context, --user or
// --cluster the kubeconfig does not define.
var missingEntry = regexp.MustCompile(`(context|auth info|cluster) ("(?:[^"\\]|\\.)*") does not exist`)

// IsNoKubeconfig reports whether err comes from finding no kubeconfig at
// all (no KUBECONFIG, no --kubeconfig, no ~/.kube/config), as opposed to
// a kubeconfig that is there but wrong.
func IsNoKubeconfig(err error) bool { return inChain(err, clientcmd.IsEmptyConfig) }

// inChain applies a clientcmd predicate, which looks at one error only, to
// every error in err's chain.
func inChain(err error, pred func(error) bool) bool {
	for ; err != nil; err = errors.Unwrap(err) {
		if pred(err) {
			return true
		}
	}
	return false
}

func explainTLS(err error) (string, bool) {
	var unknownCA x509.UnknownAuthorityError
	if errors.As(err, &unknownCA) {
		return fmt.Sprintf("TLS error talking to %s: the server certificate is signed by an unknown authority (check certificate-authority-data in the kubeconfig)", serverOf(err)), true
	}
	var invalid x509.CertificateInvalidError
	if errors.As(err, &invalid) {
		if invalid.Reason == x509.Expired {
			return fmt.Sprintf("TLS error talking to %s: the server certificate has expired or is not yet valid (%s)",
				serverOf(err), invalid.Detail), true
		}
		return fmt.Sprintf("TLS error talking to %s: invalid server certificate: %s", serverOf(err), invalid.Error()), true
	}
	var hostErr x509.HostnameError
	if errors.As(err, &hostErr) {
		return fmt.Sprintf("TLS error talking to %s: %s", serverOf(err), hostErr.Error()), true
	}
	var verifyErr *tls.CertificateVerificationError
	if errors.As(err, &verifyErr) {
		return fmt.Sprintf("TLS error talking to %s: %v", serverOf(err), verifyErr.Err), true
	}
	var recordErr tls.RecordHeaderError
	if errors.As(err, &recordErr) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		return fmt.Sprintf("TLS error talking to %s: the server does not speak TLS (http:// vs https:// in the kubeconfig?)", serverOf(err)), true
	}
	var alert tls.AlertError
	if errors.As(err, &alert) {
		return fmt.Sprintf("TLS error talking to %s: the server refused the handshake (%v); is the client certificate valid?", serverOf(err), alert), true
	}
	return "", false
}

func explainNetwork(err error) (string, bool) {
	server := serverOf(err)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return fmt.Sprintf("cannot reach the API server at %s: host %q not found (DNS)", server, dnsErr.Name), true
		}
		return fmt.Sprintf("cannot reach the API server at %s: DNS lookup of %q failed: %v", server, dnsErr.Name, dnsErr.Err), true
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("cannot reach the API server at %s: connection refused (is the cluster running?)", server), true
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return fmt.Sprintf("cannot reach the API server at %s: no route to host", server), true
	}
	if IsUnreachable(err) {
		return fmt.Sprintf("cannot reach the API server at %s: timed out", server), true
	}
	return "", false
}

// serverOf finds the server's scheme://host in a client-go request error.
func serverOf(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if u, perr := url.Parse(urlErr.URL); perr == nil && u.Host != "" {
			return u.Scheme + "://" + u.Host
		}
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Addr != nil {
		return opErr.Addr.String()
	}
	return "the configured address"
}

// statusMessage prefers the API server's own message, which names the user,
// verb, resource and namespace of a refusal.
func statusMessage(err error) string {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		if msg := status.Status().Message; msg != "" {
			return msg
		}
	}
	return err.Error()
}

// maxLineRunes keeps a server-supplied message from flooding the terminal.
const maxLineRunes = 600

// sanitizeLine folds whitespace to single spaces and replaces control,
// bidi-override and zero-width characters, which a hostile server could put
// in a message to rewrite the user's terminal.
func sanitizeLine(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	n := 0
	for _, r := range s {
		if n >= maxLineRunes {
			b.WriteString("…")
			break
		}
		switch {
		case r == utf8.RuneError:
			r = '?'
		case r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f':
			r = ' '
		case unicode.IsControl(r) || isInvisible(r):
			r = '?'
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

func isInvisible(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F, // zero-width space/joiners, LRM, RLM
		r >= 0x202A && r <= 0x202E, // bidi embeddings and overrides
		r >= 0x2060 && r <= 0x2069, // word joiner, bidi isolates
		r == 0xFEFF, r == 0x061C:
		return true
	}
	return false
}
