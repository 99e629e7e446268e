package historywork

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/process"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// TestMain fails the package's tests if any goroutine outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// env is one test's application over a virtual clock, with its logs, a
// local archive directory and a download directory.
type env struct {
	clock    *vclock.Clock
	app      *App
	logs     *observer.ObservedLogs
	archive  string // the archive's root directory
	download string
	tmp      string // the application's TmpDir
}

// newEnv builds an env with one archive, "local", whose get template is
// getCmd with ARCHIVE replaced by the archive's directory ("" for
// "cp ARCHIVE/{0} {1}").
func newEnv(t *testing.T, getCmd string) *env {
	t.Helper()
	e := &env{archive: t.TempDir(), download: t.TempDir(), tmp: t.TempDir()}
	if getCmd == "" {
		getCmd = "cp ARCHIVE/{0} {1}"
	}
	core, logs := observer.New(basicwork.TraceLevel)
	e.logs = logs
	e.clock = vclock.New(vclock.VirtualTime)
	base := scheduler.NewApp(e.clock, scheduler.WithTmpDir(e.tmp), scheduler.WithLogger(zap.New(core)),
		scheduler.WithRand(basicwork.LowerBound{}))
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	papp := process.NewApp(base, process.WithStderr(devnull), process.WithKillGrace(time.Second))
	ar, err := NewHistoryArchive(HistoryArchiveConfiguration{
		Name:     "local",
		GetCmd:   strings.ReplaceAll(getCmd, "ARCHIVE", e.archive),
		PutCmd:   "cp {0} " + e.archive + "/{1}",
		MkdirCmd: "mkdir -p " + e.archive + "/{0}",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.app = NewApp(papp, NewHistoryArchiveManager(base.Rand(), base.Logger().Named("History"), ar))
	t.Cleanup(func() {
		e.app.Shutdown()
		e.clock.Shutdown()
		devnull.Close()
	})
	return e
}

// localArchive returns the env's archive.
func (e *env) localArchive() *HistoryArchive {
	return e.app.HistoryArchiveManager().GetHistoryArchive("local")
}

// content returns the deterministic contents of checkpoint's file: 8 to 40
// KiB of pseudo-random bytes.
func content(checkpoint uint32) []byte {
	r := rand.New(rand.NewPCG(uint64(checkpoint), 7))
	b := make([]byte, 8<<10+r.IntN(32<<10))
	for i := range b {
		b[i] = byte(r.IntN(16)) // compressible, as XDR is
	}
	return b
}

// gz returns data gzipped.
func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// publish puts data, as is, at the remote name in the archive.
func (e *env) publish(t *testing.T, remote string, data []byte) {
	t.Helper()
	p := filepath.Join(e.archive, remote)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// ledgerFiles returns the FileTransferInfos of the ledger files of n
// checkpoints (63, 127, ...), downloading to the env's download directory;
// with publish set it also puts their gzipped contents in the archive.
func (e *env) ledgerFiles(t *testing.T, n int, publish bool) []FileTransferInfo {
	t.Helper()
	var fts []FileTransferInfo
	for i := range n {
		ft, err := NewFileTransferInfo(e.download, FileTypeLedger, uint32(64*(i+1)-1))
		if err != nil {
			t.Fatal(err)
		}
		if publish {
			e.publish(t, ft.RemoteName(), gz(t, content(ft.Checkpoint())))
		}
		fts = append(fts, ft)
	}
	return fts
}

// requireFetched checks that ft's unzipped file holds its contents
// (SHA-256) and that its .gz and .gz.tmp are gone.
func requireFetched(t *testing.T, ft FileTransferInfo) {
	t.Helper()
	got, err := os.ReadFile(ft.LocalPathNoGz())
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(got) != sha256.Sum256(content(ft.Checkpoint())) {
		t.Fatalf("%s: checksum differs from the archive's", ft.LocalPathNoGz())
	}
	for _, p := range []string{ft.LocalPathGz(), ft.LocalPathGzTmp()} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left: %v", p, err)
		}
	}
}

// crankUntil cranks, blocking, until cond holds, failing after 20 s of
// real time (a watchdog posts so that a blocked crank returns).
func (e *env) crankUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	watchdog := time.AfterFunc(20*time.Second, func() {
		e.clock.PostAction(func() {}, "watchdog", vclock.NormalAction)
	})
	defer watchdog.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 20s")
		}
		e.clock.Crank(true)
	}
}

// requireLog checks that a line with exactly this message was logged at l.
func (e *env) requireLog(t *testing.T, l zapcore.Level, msg string) {
	t.Helper()
	if e.logs.Filter(func(le observer.LoggedEntry) bool { return le.Level == l && le.Message == msg }).Len() == 0 {
		var all []string
		for _, le := range e.logs.All() {
			all = append(all, le.Level.String()+" "+le.LoggerName+": "+le.Message)
		}
		t.Fatalf("no %s log %q; logs:\n%s", l, msg, strings.Join(all, "\n"))
	}
}

// countLog counts the lines with exactly this message.
func (e *env) countLog(msg string) int {
	return e.logs.FilterMessage(msg).Len()
}
