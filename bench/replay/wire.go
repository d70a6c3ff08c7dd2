package main

import (
	"encoding/binary"
	"strconv"
)

// The protobuf wire format as kube-apiserver writes it, built by hand so a
// change costs a few appends and no encoder: an object travels as the
// "k8s\x00" magic followed by a runtime.Unknown envelope (type meta, raw
// message); a watch stream is a sequence of 4-byte big-endian length
// prefixed metav1.WatchEvent messages (no envelope) whose object is such an
// enveloped object. server_test.go checks every shape against the decoders
// client-go uses.

// protoMagic starts every enveloped protobuf object.
var protoMagic = []byte{'k', '8', 's', 0}

// Field tags (field number << 3 | wire type 2, length-delimited).
const (
	tag1 = 1<<3 | 2
	tag2 = 2<<3 | 2
	tag3 = 3<<3 | 2
)

func appendBytesField(b []byte, tag byte, v []byte) []byte {
	b = append(b, tag)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func appendStringField(b []byte, tag byte, v string) []byte {
	b = append(b, tag)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// fieldHeaderLen is the length of a field's tag and length prefix.
func fieldHeaderLen(n int) int {
	return 1 + len(binary.AppendUvarint(nil, uint64(n)))
}

// typeMeta is the encoded runtime.TypeMeta of an envelope.
func typeMeta(apiVersion, kind string) []byte {
	var b []byte
	b = appendStringField(b, tag1, apiVersion)
	return appendStringField(b, tag2, kind)
}

// envelopeHeader is everything of an enveloped object before its raw
// message of n bytes: magic, type meta, and the raw field's header. Nothing
// follows the raw message (contentEncoding and contentType are empty).
func envelopeHeader(b []byte, tm []byte, n int) []byte {
	b = append(b, protoMagic...)
	b = appendBytesField(b, tag1, tm)
	b = append(b, tag2)
	return binary.AppendUvarint(b, uint64(n))
}

// envelopeLen is the length of an enveloped object whose raw message is n
// bytes long.
func envelopeLen(tm []byte, n int) int {
	return len(protoMagic) + fieldHeaderLen(len(tm)) + len(tm) + fieldHeaderLen(n) + n
}

// watchFrameHeader is everything of a protobuf watch frame before the raw
// message (n bytes) of the object it carries: the frame length, the event
// type, the RawExtension holding the enveloped object.
func watchFrameHeader(b []byte, eventType string, tm []byte, n int) []byte {
	env := envelopeLen(tm, n)
	rawExt := fieldHeaderLen(env) + env // RawExtension{raw: env}
	msg := fieldHeaderLen(len(eventType)) + len(eventType) + fieldHeaderLen(rawExt) + rawExt
	b = binary.BigEndian.AppendUint32(b, uint32(msg))
	b = appendStringField(b, tag1, eventType)
	b = append(b, tag2)
	b = binary.AppendUvarint(b, uint64(rawExt))
	b = append(b, tag1)
	b = binary.AppendUvarint(b, uint64(env))
	return envelopeHeader(b, tm, n)
}

// listMeta is an encoded metav1.ListMeta with a resourceVersion and, when
// not empty, a continue token.
func listMeta(rv int64, cont string) []byte {
	var b []byte
	b = appendStringField(b, tag2, strconv.FormatInt(rv, 10))
	if cont != "" {
		b = appendStringField(b, tag3, cont)
	}
	return b
}
