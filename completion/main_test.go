package completion

import (
	"context"
	"os"
	"testing"
)

// helperEnv makes the test binary act as a program that answers
// `__complete` from testCompleter, so the shell scripts can be run for real
// against this package's engine.
const helperEnv = "INITWATCH_COMPLETION_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" && len(os.Args) > 1 && os.Args[1] == "__complete" {
		cands, dir := testCompleter().Complete(context.Background(), os.Args[2:])
		if err := Write(os.Stdout, cands, dir); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
