package demo

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/types"
)

// Identifiers drawn from the seeded generator, in the shapes a real cluster
// uses, so that names, UIDs and container IDs look familiar and are the
// same for the same seed.

// nameAlphabet is the alphabet of generated name suffixes and
// pod-template-hash values (apimachinery's rand.String): no vowels, no
// look-alike digits, so no words and no confusion.
const nameAlphabet = "bcdfghjklmnpqrstvwxz2456789"

func (c *Cluster) randString(n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(nameAlphabet[c.rng.IntN(len(nameAlphabet))])
	}
	return b.String()
}

func (c *Cluster) randHex(n int) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	for range n {
		b.WriteByte(hex[c.rng.IntN(16)])
	}
	return b.String()
}

// uid is a version-4 UUID, as the apiserver assigns.
func (c *Cluster) uid() types.UID {
	h := c.randHex(32)
	variant := "89ab"[c.rng.IntN(4)]
	return types.UID(fmt.Sprintf("%s-%s-4%s-%c%s-%s", h[0:8], h[8:12], h[13:16], variant, h[17:20], h[20:32]))
}

// containerID is a containerd container ID.
func (c *Cluster) containerID() string { return "containerd://" + c.randHex(64) }

// normalizeImage expands a short image reference the way containerd reports
// it in status.image: "busybox:1.36" is "docker.io/library/busybox:1.36".
func normalizeImage(image string) string {
	first, rest, found := strings.Cut(image, "/")
	if found && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return image
	}
	if !found {
		return "docker.io/library/" + image
	}
	return "docker.io/" + first + "/" + rest
}

// imageID is the digest reference of a normalised image.
func imageID(image, digest string) string {
	repo := normalizeImage(image)
	if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
		repo = repo[:i]
	}
	return repo + "@sha256:" + digest
}
