package historywork

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/process"
	"github.com/stellarwork/stellarwork/vclock"
)

// TestBatchDownloadFromLocalArchive fetches the ledger files of 6
// checkpoints from a local archive of real gzipped files, through the
// template "cp ARCHIVE/{0} {1}", gunzipped by gzip, two at a time, and
// compares their checksums with the originals.
func TestBatchDownloadFromLocalArchive(t *testing.T) {
	e := newEnv(t, "")
	fts := e.ledgerFiles(t, 6, true)
	var gzBytes int64
	for _, ft := range fts {
		gzBytes += int64(len(gz(t, content(ft.Checkpoint()))))
	}
	e.app.Config().MaxConcurrentSubprocesses = 2
	w := NewBatchDownloadWork(e.app, fts, FileTypeLedger, nil)
	if w.Name() != "batch-download-ledger-0000003f-0000017f" {
		t.Errorf("name %q", w.Name())
	}
	// Whether the batch itself ever waits depends on when the real
	// processes exit, so its status is sampled whenever a work under it
	// starts waiting instead: every get and every gunzip waits for its
	// process, so that is at least a dozen times, whatever the timing.
	var statuses []string
	e.app.SetTransitionListener(func(ev basicwork.TransitionEvent) {
		if ev.Work != basicwork.Work(w) && ev.To == basicwork.InternalWaiting && !w.IsDone() {
			statuses = append(statuses, w.Status())
		}
	})
	if err := e.app.WorkScheduler().ExecuteWork(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	if w.State() != basicwork.Success {
		t.Fatalf("%s", w.Status())
	}
	// Work's status once done: the BasicWork one and the children count.
	if got, want := w.Status(), "Succeeded: batch-download-ledger-0000003f-0000017f : 6/6 children completed"; got != want {
		t.Errorf("status %q, want %q", got, want)
	}
	// While it ran: the C++ progress over the files handed out. Once a
	// work under it waits, the batch has handed out at least the two of a
	// batch (it fills its bandwidth in the step before it cranks any
	// child), so it reads 3/6 or more (the next file counts as begun),
	// never going back.
	if len(statuses) < 12 {
		t.Errorf("%d statuses sampled, want one per process waited on, at least 12", len(statuses))
	}
	prev := 3
	for _, s := range statuses {
		var n int
		if _, err := fmt.Sscanf(s, "downloading ledger files %d/6", &n); err != nil || n < prev || n > 6 ||
			s != fmt.Sprintf("downloading ledger files %d/6 (%d%%)", n, 100*n/6) {
			t.Errorf("status while running %q (after %d/6)", s, prev)
		}
		prev = n
	}
	for _, ft := range fts {
		requireFetched(t, ft)
	}
	m := e.app.HistoryMetrics()
	if m.FilesDownloaded[FileTypeLedger] != 6 || m.GetBytes != gzBytes || m.GetFailures != 0 {
		t.Errorf("metrics %+v, want 6 files, %d bytes, no failure", m, gzBytes)
	}
	// A get and a gunzip per file.
	if n := e.app.ProcessManager().ProcessesStarted(); n != 12 {
		t.Errorf("%d processes, want 12", n)
	}
	e.requireLog(t, zapcore.DebugLevel, "Downloading and unzipping ledger for checkpoint 63")
	e.requireLog(t, zapcore.DebugLevel, "Downloading and unzipping ledger/00/00/00/ledger-0000003f.xdr.gz")
	e.requireLog(t, zapcore.InfoLevel, "Selected archive local to download ledger-0000003f.xdr.gz")
	e.requireLog(t, zapcore.DebugLevel, "Fetching from sole readable history archive 'local'")
	e.requireLog(t, zapcore.DebugLevel, "Downloading file: cmd: cp "+e.archive+"/ledger/00/00/01/ledger-0000017f.xdr.gz "+fts[5].LocalPathGzTmp())
}

// TestGetRetried: a get that fails (the file is not in the archive yet) is
// retried after its backoff, and the retry, which finds the file, succeeds.
func TestGetRetried(t *testing.T) {
	e := newEnv(t, "")
	ft := e.ledgerFiles(t, 1, false)[0]
	w := NewGetRemoteFileWork(e.app, ft.RemoteName(), ft.LocalPathGz(), e.localArchive(), basicwork.RetryOnce)
	e.app.WorkScheduler().ScheduleWork(w)
	e.crankUntil(t, func() bool { return strings.HasPrefix(w.Status(), "Retrying") })
	// cp exits 1 on a missing file; the retry waits its 1 s of backoff.
	var ee *process.ExitError
	if last := w.LastExit(); last == nil || !errors.As(last.Err(), &ee) || ee.Code != 1 {
		t.Fatalf("first attempt's exit %v, want cp's exit 1", w.LastExit())
	}
	firstPid := w.LastExit().Pid()
	if got, want := w.Status(), "Retrying in 1 sec: get-remote-file ledger/00/00/00/ledger-0000003f.xdr.gz"; got != want {
		t.Errorf("status %q, want %q", got, want)
	}
	data := gz(t, content(ft.Checkpoint()))
	e.publish(t, ft.RemoteName(), data)
	e.crankUntil(t, w.IsDone)
	if w.State() != basicwork.Success || w.LastExit().Err() != nil || w.LastExit().Pid() == firstPid {
		t.Fatalf("%s after %v", w.Status(), w.LastExit())
	}
	if got, err := os.ReadFile(ft.LocalPathGz()); err != nil || string(got) != string(data) {
		t.Fatalf("download %d bytes, %v", len(got), err)
	}
	if e.clock.Elapsed().Seconds() != 1 {
		t.Errorf("virtual time %v, want the 1 s of the first backoff", e.clock.Elapsed())
	}
	if m := e.app.HistoryMetrics(); m.GetBytes != int64(len(data)) || m.GetFailures != 0 {
		t.Errorf("metrics %+v", m)
	}
	if e.countLog("Could not download file: archive local maybe missing file ledger/00/00/00/ledger-0000003f.xdr.gz") != 0 {
		t.Error("a retried failure blamed the archive")
	}
}

// TestGetFailsForGood: a get with no retry left counts a failure, blames
// the archive with the C++ warning, and leaves no local file.
func TestGetFailsForGood(t *testing.T) {
	e := newEnv(t, "")
	ft := e.ledgerFiles(t, 1, false)[0]
	w := NewGetRemoteFileWork(e.app, ft.RemoteName(), ft.LocalPathGz(), nil, basicwork.RetryNever)
	err := e.app.WorkScheduler().ExecuteWork(context.Background(), w)
	if w.State() != basicwork.Failure {
		t.Fatalf("%s (%v)", w.Status(), err)
	}
	if w.CurrentArchive() != e.localArchive() {
		t.Errorf("current archive %v", w.CurrentArchive())
	}
	e.requireLog(t, zapcore.WarnLevel, "Could not download file: archive local maybe missing file ledger/00/00/00/ledger-0000003f.xdr.gz")
	if m := e.app.HistoryMetrics(); m.GetFailures != 1 || m.GetBytes != 0 {
		t.Errorf("metrics %+v", m)
	}
	if _, err := os.Stat(ft.LocalPathGz()); !os.IsNotExist(err) {
		t.Errorf("local file left: %v", err)
	}
}

// TestGetAndUnzipRestartedAfterFailure: an archive file that is not gzip
// makes the gunzip, and so the whole, fail; the archive is blamed and the
// local files removed. Once the archive holds the real file, the same work
// started again downloads and unzips it with new processes.
func TestGetAndUnzipRestartedAfterFailure(t *testing.T) {
	e := newEnv(t, "")
	ft := e.ledgerFiles(t, 1, false)[0]
	e.publish(t, ft.RemoteName(), []byte("not gzip at all"))
	w := NewGetAndUnzipRemoteFileWork(e.app, ft, nil, basicwork.RetryNever, true)
	ws := e.app.WorkScheduler()
	var gunzipStatus string
	e.app.SetTransitionListener(func(ev basicwork.TransitionEvent) {
		if strings.HasPrefix(ev.Name(), "gunzip-file ") && ev.To == basicwork.InternalRunning {
			gunzipStatus = w.Status()
		}
	})
	err := ws.ExecuteWork(context.Background(), w)
	if w.State() != basicwork.Failure {
		t.Fatalf("%s", w.Status())
	}
	// The cause: the gunzip failed, as gzip exited 1.
	var ee *process.ExitError
	var we *basicwork.WorkError
	if !errors.As(err, &ee) || ee.Code != 1 || !errors.As(err, &we) || we.Name != w.Name() ||
		!strings.Contains(err.Error(), "work gunzip-file ") {
		t.Errorf("ExecuteWork: %v, want the gunzip's exit 1 as the cause", err)
	}
	if want := "Running: gunzip-file " + ft.LocalPathGz(); gunzipStatus != want {
		t.Errorf("status while gunzipping %q, want the gunzip's %q", gunzipStatus, want)
	}
	// The download succeeded, so its archive is blamed (an error, as
	// logErrorOnFailure is set).
	e.requireLog(t, zapcore.ErrorLevel, "Archive local: file ledger/00/00/00/ledger-0000003f.xdr.gz is maybe corrupt")
	for _, p := range []string{ft.LocalPathNoGz(), ft.LocalPathGz(), ft.LocalPathGzTmp()} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left after the failure: %v", p, err)
		}
	}
	started := e.app.ProcessManager().ProcessesStarted()
	if started != 2 {
		t.Errorf("%d processes for the failed attempt, want a get and a gunzip", started)
	}

	e.publish(t, ft.RemoteName(), gz(t, content(ft.Checkpoint())))
	if err := ws.ExecuteWork(context.Background(), w); err != nil || w.State() != basicwork.Success {
		t.Fatalf("restart: %s (%v)", w.Status(), err)
	}
	requireFetched(t, ft)
	if n := e.app.ProcessManager().ProcessesStarted() - started; n != 2 {
		t.Errorf("%d processes for the restart, want a get and a gunzip", n)
	}
	if e.app.HistoryMetrics().FilesDownloaded[FileTypeLedger] != 1 {
		t.Errorf("files downloaded %v", e.app.HistoryMetrics().FilesDownloaded)
	}
}

// TestGetAndUnzipRetriedAfterFailure: with a retry, the whole is retried
// after its backoff: a new download, a new gunzip.
func TestGetAndUnzipRetriedAfterFailure(t *testing.T) {
	e := newEnv(t, "")
	ft := e.ledgerFiles(t, 1, false)[0]
	w := NewGetAndUnzipRemoteFileWork(e.app, ft, e.localArchive(), basicwork.RetryOnce, false)
	e.app.WorkScheduler().ScheduleWork(w)
	e.crankUntil(t, func() bool { return strings.HasPrefix(w.Status(), "Retrying") })
	if got, want := w.Status(), "Retrying in 1 sec: get-and-unzip-remote-file ledger/00/00/00/ledger-0000003f.xdr.gz"; got != want {
		t.Errorf("status %q, want %q", got, want)
	}
	e.publish(t, ft.RemoteName(), gz(t, content(ft.Checkpoint())))
	e.crankUntil(t, w.IsDone)
	if w.State() != basicwork.Success {
		t.Fatalf("%s", w.Status())
	}
	requireFetched(t, ft)
	if w.Archive() != e.localArchive() {
		t.Errorf("archive %v", w.Archive())
	}
}

// TestAbortMidway shuts a batch down while its gets run: a get template
// that writes part of the file and then sleeps. The abort kills every
// process (none is left in /proc) and leaves no partial output.
func TestAbortMidway(t *testing.T) {
	script := filepath.Join(t.TempDir(), "slow-get")
	// Copy the first 100 bytes, then hang; the sleep is a child of its own.
	body := "#!/bin/sh\nhead -c 100 \"$1\" > \"$2\"\nsleep 30\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, script+" ARCHIVE/{0} {1}")
	fts := e.ledgerFiles(t, 3, true)
	w := NewBatchDownloadWork(e.app, fts, FileTypeLedger, e.localArchive())
	// Cancel the context once all three gets have written their part (a
	// watcher polls the files: nothing posts then), which makes
	// ExecuteWork shut the batch down and crank until it is aborted.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var procs []int
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for ctx.Err() == nil {
			written := 0
			for _, ft := range fts {
				if fi, err := os.Stat(ft.LocalPathGzTmp()); err == nil && fi.Size() >= 100 {
					written++
				}
			}
			if written == len(fts) {
				procs = processesRunning(t, script)
				cancel()
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	err := e.app.WorkScheduler().ExecuteWork(ctx, w)
	<-watched
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("ExecuteWork: %v", err)
	}
	if len(procs) != 3 {
		t.Fatalf("/proc showed %d processes of %s midway, want 3", len(procs), script)
	}
	pm := e.app.ProcessManager()
	if w.State() != basicwork.Aborted {
		t.Fatalf("%s", w.Status())
	}
	if n := pm.NumRunningOrShuttingDownProcesses(); n != 0 {
		t.Errorf("%d processes left to the manager", n)
	}
	for _, pid := range procs {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); !os.IsNotExist(err) {
			t.Errorf("process %d still in /proc: %v", pid, err)
		}
		// Its group (the script's sleep) is gone too: no member runs. (A
		// killed grandchild may linger as a zombie until the system's init
		// reaps it; a zombie runs nothing.)
		if live := groupMembersStillAlive(t, pid); len(live) != 0 {
			t.Errorf("process group %d still has live members %v", pid, live)
		}
	}
	if left := processesRunning(t, script); len(left) != 0 {
		t.Errorf("processes of %s left: %v", script, left)
	}
	var files []string
	filepath.WalkDir(e.download, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 0 {
		t.Errorf("partial output left: %v", files)
	}
}

// pidsWhere returns the pids in /proc for which keep, given the process's
// /proc directory, holds.
func pidsWhere(t *testing.T, keep func(pid int, dir string) bool) []int {
	t.Helper()
	des, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	var pids []int
	for _, de := range des {
		if pid, err := strconv.Atoi(de.Name()); err == nil && keep(pid, filepath.Join("/proc", de.Name())) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// processesRunning returns the pids of the process group leaders whose
// command line mentions marker (zombies included: they are still in
// /proc). The manager starts each command as a group leader; a shell's
// fork not yet exec'd shares the command line but not the group lead.
func processesRunning(t *testing.T, marker string) []int {
	return pidsWhere(t, func(pid int, dir string) bool {
		b, err := os.ReadFile(filepath.Join(dir, "cmdline"))
		if err != nil || !strings.Contains(string(b), marker) {
			return false
		}
		pgid, err := syscall.Getpgid(pid)
		return err == nil && pgid == pid
	})
}

// groupMembersAlive returns the pids of the processes of group pgid that
// are not zombies, from /proc/PID/stat.
func groupMembersAlive(t *testing.T, pgid int) []int {
	return pidsWhere(t, func(_ int, dir string) bool {
		b, err := os.ReadFile(filepath.Join(dir, "stat"))
		if err != nil {
			return false
		}
		// After the parenthesised command: state, ppid, pgrp, ...
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		return len(fields) >= 3 && fields[2] == strconv.Itoa(pgid) && fields[0] != "Z"
	})
}

// groupMembersStillAlive waits, polling /proc for at most 10 s of real
// time, until no process of group pgid runs, and returns the members still
// alive then (none when all are gone). The manager reaps the group leader
// only after it has sent SIGKILL to the whole group, but a grandchild
// (the script's sleep, which only init may reap) dies when the kernel next
// runs it, which on a loaded machine can be after ExecuteWork returns:
// until then /proc shows it sleeping or runnable. A member that was never
// signalled sleeps far longer than the bound and still fails the test.
func groupMembersStillAlive(t *testing.T, pgid int) []int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		live := groupMembersAlive(t, pgid)
		if len(live) == 0 || time.Now().After(deadline) {
			return live
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestGunzipRetryRunsGzipAgain is the port's choice where the C++
// GunzipFileWork::onReset skips RunCommandWork::onReset: a retry runs gzip
// again. The first attempt finds no file (gzip exits 1); the file appears
// during the backoff; the retry runs a second gzip, which succeeds. (In the
// C++ the retry would return the first failure without running gzip.)
func TestGunzipRetryRunsGzipAgain(t *testing.T) {
	e := newEnv(t, "")
	path := filepath.Join(e.download, "file.xdr.gz")
	w := NewGunzipFileWork(e.app, path, false, basicwork.RetryOnce)
	if w.Name() != "gunzip-file "+path {
		t.Errorf("name %q", w.Name())
	}
	e.app.WorkScheduler().ScheduleWork(w)
	e.crankUntil(t, func() bool { return strings.HasPrefix(w.Status(), "Retrying") })
	first := w.LastExit()
	var ee *process.ExitError
	if first == nil || !errors.As(first.Err(), &ee) || ee.Code != 1 {
		t.Fatalf("first attempt %v, want gzip's exit 1", first)
	}
	data := content(7)
	if err := os.WriteFile(path, gz(t, data), 0o644); err != nil {
		t.Fatal(err)
	}
	e.crankUntil(t, w.IsDone)
	if w.State() != basicwork.Success {
		t.Fatalf("%s: the retry did not run gzip again (last exit %v)", w.Status(), w.LastExit())
	}
	if w.LastExit() == first || w.LastExit().Pid() == first.Pid() {
		t.Error("no second gzip process")
	}
	if n := e.app.ProcessManager().ProcessesStarted(); n != 2 {
		t.Errorf("%d processes, want 2", n)
	}
	got, err := os.ReadFile(strings.TrimSuffix(path, ".gz"))
	if err != nil || string(got) != string(data) {
		t.Fatalf("unzipped %d bytes, %v", len(got), err)
	}
}

// TestGzipKeepExistingRoundTrip gzips a file keeping it (gzip -c to an
// output file), removes the original, and gunzips the result keeping the
// .gz: the contents survive, and both commands are the C++ ones.
func TestGzipKeepExistingRoundTrip(t *testing.T) {
	e := newEnv(t, "")
	path := filepath.Join(e.download, "bucket.xdr")
	data := content(11)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	z := NewGzipFileWork(e.app, path, true)
	if got := z.GetCommand(); got.Command != "gzip -c "+path || got.OutFile != path+".gz" {
		t.Errorf("gzip command %+v", got)
	}
	ws := e.app.WorkScheduler()
	if err := ws.ExecuteWork(context.Background(), z); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("original not kept: %v", err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	u := NewGunzipFileWork(e.app, path+".gz", true, basicwork.RetryNever)
	if got := u.GetCommand(); got.Command != "gzip -d -c "+path+".gz" || got.OutFile != path {
		t.Errorf("gunzip command %+v", got)
	}
	if err := ws.ExecuteWork(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != string(data) {
		t.Fatalf("round trip %d bytes, %v", len(got), err)
	}
	if _, err := os.Stat(path + ".gz"); err != nil {
		t.Errorf(".gz not kept: %v", err)
	}
}

// TestPutAndMakeRemoteDir publishes a file: a MakeRemoteDirWork then a
// PutRemoteFileWork through the archive's mkdir and put templates; an
// archive without a mkdir template needs no process.
func TestPutAndMakeRemoteDir(t *testing.T) {
	e := newEnv(t, "")
	ft := e.ledgerFiles(t, 1, false)[0]
	data := gz(t, content(ft.Checkpoint()))
	if err := os.WriteFile(ft.LocalPathGz(), data, 0o644); err != nil {
		t.Fatal(err)
	}
	ws := e.app.WorkScheduler()
	mk := NewMakeRemoteDirWork(e.app, ft.RemoteDir(), e.localArchive())
	put := NewPutRemoteFileWork(e.app, ft.LocalPathGz(), ft.RemoteName(), e.localArchive())
	if mk.Name() != "make-remote-dir ledger/00/00/00" || put.Name() != "put-remote-file ledger/00/00/00/ledger-0000003f.xdr.gz" {
		t.Errorf("names %q, %q", mk.Name(), put.Name())
	}
	if mk.MaxRetries() != basicwork.RetryALot || put.MaxRetries() != basicwork.RetryALot {
		t.Errorf("retries %d, %d, want RETRY_A_LOT", mk.MaxRetries(), put.MaxRetries())
	}
	for _, w := range []basicwork.Work{mk, put} {
		if err := ws.ExecuteWork(context.Background(), w); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(filepath.Join(e.archive, ft.RemoteName()))
	if err != nil || string(got) != string(data) {
		t.Fatalf("published %d bytes, %v", len(got), err)
	}

	bare := MustNewHistoryArchive(HistoryArchiveConfiguration{Name: "bare", GetCmd: "cp {0} {1}", PutCmd: "cp {0} {1}"})
	before := e.app.ProcessManager().ProcessesStarted()
	mk = NewMakeRemoteDirWork(e.app, "x/y", bare)
	if err := ws.ExecuteWork(context.Background(), mk); err != nil {
		t.Fatal(err)
	}
	if n := e.app.ProcessManager().ProcessesStarted(); n != before {
		t.Errorf("%d processes for an archive without mkdir", n-before)
	}
}

// ownApp is a port's application that answers Application with fields of
// its own instead of embedding an *App: its Metrics is the zero value.
type ownApp struct {
	*process.App
	archives *HistoryArchiveManager
	metrics  Metrics
}

func (a *ownApp) HistoryArchiveManager() *HistoryArchiveManager { return a.archives }
func (a *ownApp) HistoryMetrics() *Metrics                      { return &a.metrics }

// TestZeroMetrics: the zero Metrics is ready to use, so that an application
// of a port's own can hold one; a download used to panic writing to its nil
// FilesDownloaded map.
func TestZeroMetrics(t *testing.T) {
	e := newEnv(t, "")
	app := &ownApp{App: e.app.App, archives: e.app.HistoryArchiveManager()}
	ft := e.ledgerFiles(t, 1, true)[0]
	w := NewGetAndUnzipRemoteFileWork(app, ft, nil, basicwork.RetryNever, true)
	if err := app.WorkScheduler().ExecuteWork(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	requireFetched(t, ft)
	if got := app.metrics.FilesDownloaded[FileTypeLedger]; got != 1 {
		t.Errorf("%d ledger files downloaded, want 1", got)
	}
	if app.metrics.GetBytes != int64(len(gz(t, content(ft.Checkpoint())))) {
		t.Errorf("%d bytes downloaded", app.metrics.GetBytes)
	}
}

// TestVirtualTimeoutOnHungGet: a get that hangs is timed out in virtual
// time, by a virtual timer that cancels ExecuteWork's context, as the C++
// idle virtual clock jumps to its next timer while a process runs. The
// timeout is armed once the get has written part of its file and started
// its own child (a 1 s virtual timer polls for that, and each idle crank
// jumps to it); 30 s of virtual time later the get is shut down, long
// before its sleep of 1000 s: no process of it is left, nor any file.
func TestVirtualTimeoutOnHungGet(t *testing.T) {
	script := filepath.Join(t.TempDir(), "hung-get")
	body := "#!/bin/sh\nhead -c 100 \"$1\" > \"$2\"\nsleep 1000 &\necho $! > \"$2.sleep\"\nwait\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, script+" ARCHIVE/{0} {1}")
	ft := e.ledgerFiles(t, 1, true)[0]
	w := NewGetAndUnzipRemoteFileWork(e.app, ft, nil, basicwork.RetryALot, true)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var hungAt, firedAt time.Duration
	var procs []int
	var sleeper int
	poll := vclock.NewTimer(e.clock)
	timeout := vclock.NewTimer(e.clock)
	var check func()
	check = func() {
		b, err := os.ReadFile(ft.LocalPathGzTmp() + ".sleep")
		if _, serr := fmt.Sscan(string(b), &sleeper); err != nil || serr != nil {
			poll.ExpiresFromNow(time.Second)
			poll.AsyncWaitFunc(check, vclock.OnFailureNoop)
			return
		}
		hungAt = e.clock.Elapsed()
		procs = processesRunning(t, script)
		timeout.ExpiresFromNow(30 * time.Second)
		timeout.AsyncWaitFunc(func() { firedAt = e.clock.Elapsed(); cancel() }, vclock.OnFailureNoop)
	}
	poll.ExpiresFromNow(time.Second)
	poll.AsyncWaitFunc(check, vclock.OnFailureNoop)

	// A watchdog in wall time, should the virtual timeout never fire: a
	// get that held virtual time would keep both timers from firing, and
	// the watchdog's cancel leaves firedAt at zero. It only ends the test,
	// so it is far from what a loaded machine needs (under a second).
	watchdog := time.AfterFunc(time.Minute, cancel)
	defer watchdog.Stop()
	start := time.Now()
	err := e.app.WorkScheduler().ExecuteWork(ctx, w)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, basicwork.ErrWorkAborted) {
		t.Fatalf("ExecuteWork: %v, want an abort by the cancelled context", err)
	}
	// The 1000 s sleep did not hold virtual time: the timeout fired, 30 s
	// of virtual time after the get hung, and not the watchdog.
	if firedAt != hungAt+30*time.Second {
		t.Errorf("the timeout fired at %v, want 30s after the get hung at %v (%v of wall time)", firedAt, hungAt, time.Since(start))
	}
	if len(procs) != 1 {
		t.Fatalf("/proc showed %v as the hung get, want one process", procs)
	}
	if n := e.app.ProcessManager().NumRunningOrShuttingDownProcesses(); n != 0 {
		t.Errorf("%d processes left to the manager", n)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", procs[0])); !os.IsNotExist(err) {
		t.Errorf("the get %d is still in /proc: %v", procs[0], err)
	}
	if live := groupMembersStillAlive(t, procs[0]); len(live) != 0 {
		t.Errorf("the get's sleep still runs: %v (sleep %d)", live, sleeper)
	}
	for _, p := range []string{ft.LocalPathGzTmp(), ft.LocalPathGz(), ft.LocalPathNoGz()} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left: %v", p, err)
		}
	}
}

// TestAbortDuringGunzip: an abort while gzip runs leaves no gzip process
// and no partial output, whether gzip writes FILE itself (gzip -d, inside
// a GetAndUnzipRemoteFileWork, whose reset removes FILE) or to the process
// manager's temporary file (gzip -d -c, keeping the .gz, whose partial
// output is discarded). A stand-in gzip, first on PATH, writes part of
// its output and hangs.
func TestAbortDuringGunzip(t *testing.T) {
	bin := t.TempDir()
	fake := "#!/bin/sh\n# gzip -d [-c] FILE.gz\nfor f; do :; done\nout=${f%.gz}\n" +
		"if [ \"$2\" = -c ]; then echo partial; else echo partial > \"$out\"; fi\n" +
		"touch \"$out.started\"\nsleep 1000\n"
	if err := os.WriteFile(filepath.Join(bin, "gzip"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("keep=%v", keep), func(t *testing.T) {
			e := newEnv(t, "")
			ft := e.ledgerFiles(t, 1, true)[0]
			var w basicwork.Work
			if keep {
				if err := os.WriteFile(ft.LocalPathGz(), gz(t, content(ft.Checkpoint())), 0o644); err != nil {
					t.Fatal(err)
				}
				w = NewGunzipFileWork(e.app, ft.LocalPathGz(), true, basicwork.RetryNever)
			} else {
				w = NewGetAndUnzipRemoteFileWork(e.app, ft, nil, basicwork.RetryALot, true)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var procs []int
			watched := make(chan struct{})
			go func() { // cancel once gzip has written its part
				defer close(watched)
				for ctx.Err() == nil {
					if _, err := os.Stat(ft.LocalPathNoGz() + ".started"); err == nil {
						procs = processesRunning(t, ft.LocalPathGz())
						cancel()
						return
					}
					time.Sleep(2 * time.Millisecond)
				}
			}()
			watchdog := time.AfterFunc(20*time.Second, cancel)
			defer watchdog.Stop()
			err := e.app.WorkScheduler().ExecuteWork(ctx, w)
			<-watched
			if !errors.Is(err, context.Canceled) || w.State() != basicwork.Aborted {
				t.Fatalf("ExecuteWork: %v (%s)", err, w.Status())
			}
			if len(procs) != 1 {
				t.Fatalf("/proc showed %v as the gzip, want one process", procs)
			}
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", procs[0])); !os.IsNotExist(err) {
				t.Errorf("gzip %d still in /proc: %v", procs[0], err)
			}
			if live := groupMembersStillAlive(t, procs[0]); len(live) != 0 {
				t.Errorf("gzip's sleep still runs: %v", live)
			}
			if _, err := os.Stat(ft.LocalPathNoGz()); !os.IsNotExist(err) {
				t.Errorf("partial output %s left: %v", ft.LocalPathNoGz(), err)
			}
			if n := e.app.ProcessManager().NumRunningOrShuttingDownProcesses(); n != 0 {
				t.Errorf("%d processes left to the manager", n)
			}
			e.app.Shutdown()
			if left, _ := os.ReadDir(e.tmp); len(left) != 0 {
				t.Errorf("left in the app's TmpDir: %v", left)
			}
		})
	}
}

// TestTwoAppsAtOnce: two applications, each with its own clock, process
// manager and archive, download at the same time on two goroutines (run
// with -race): each gets its own files, counts its own, and shares nothing
// with the other.
func TestTwoAppsAtOnce(t *testing.T) {
	envs := []*env{newEnv(t, ""), newEnv(t, "")}
	files := make([][]FileTransferInfo, len(envs))
	for i, e := range envs {
		e.app.Config().MaxConcurrentSubprocesses = 2
		files[i] = e.ledgerFiles(t, 5, true)
	}
	errs := make(chan error, len(envs))
	for i, e := range envs {
		go func() {
			errs <- e.app.WorkScheduler().ExecuteWork(context.Background(), NewBatchDownloadWork(e.app, files[i], FileTypeLedger, nil))
		}()
	}
	for range envs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i, e := range envs {
		for _, ft := range files[i] {
			requireFetched(t, ft)
			if !strings.HasPrefix(ft.LocalPathNoGz(), e.download) {
				t.Errorf("%s is not under its app's download directory", ft.LocalPathNoGz())
			}
		}
		if got := e.app.HistoryMetrics().FilesDownloaded[FileTypeLedger]; got != 5 {
			t.Errorf("app %d counted %d files, want its own 5", i, got)
		}
		if n := e.app.ProcessManager().ProcessesStarted(); n != 10 {
			t.Errorf("app %d started %d processes, want its own 10", i, n)
		}
	}
}
