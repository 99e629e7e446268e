package historywork

import (
	"fmt"
	"os"
	"path/filepath"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/process"
)

// GetRemoteFileWork downloads one file of an archive by running the
// archive's get template: the port of stellar-core's GetRemoteFileWork. Its
// name is "get-remote-file " followed by the remote name.
//
// With a nil archive it picks a readable archive at random
// (HistoryArchiveManager.SelectRandomReadableHistoryArchive) on every run,
// so that each retry may try another archive. A reset (before a retry)
// removes the local file. On success it adds the file's size to
// HistoryMetrics().GetBytes; on a final failure it counts one
// GetFailures and logs the C++ warning naming the archive.
type GetRemoteFileWork struct {
	process.RunCommandWork
	app            Application
	remote         string
	local          string
	archive        *HistoryArchive
	currentArchive *HistoryArchive
	log, fsLog     *zap.Logger
}

// NewGetRemoteFileWork returns the work that downloads remote (a name in
// the archive, such as FileTransferInfo.RemoteName) to the local path
// local, from archive or, if archive is nil, from an archive picked at
// random on each run. maxRetries is its retry budget; the C++ default is
// basicwork.RetryALot. It panics where RunCommandWork.Init panics.
func NewGetRemoteFileWork(app Application, remote, local string, archive *HistoryArchive, maxRetries int) *GetRemoteFileWork {
	w := &GetRemoteFileWork{app: app, remote: remote, local: local, archive: archive}
	w.Init(app, "get-remote-file "+remote, maxRetries, w)
	w.log = historyLogger(app)
	w.fsLog = app.Logger().Named("Fs")
	return w
}

// GetCommand returns the get command of the archive of this run. It
// panics, as the C++ throws or asserts, when no archive can get.
func (w *GetRemoteFileWork) GetCommand() process.CommandInfo {
	w.currentArchive = w.archive
	if w.currentArchive == nil {
		a, err := w.app.HistoryArchiveManager().SelectRandomReadableHistoryArchive()
		if err != nil {
			panic(fmt.Sprintf("historywork: %s: %v", w.Name(), err))
		}
		w.currentArchive = a
		w.logf(zapcore.InfoLevel, "Selected archive %s to download %s", a.Name(), filepath.Base(w.remote))
	}
	if !w.currentArchive.HasGetCmd() {
		panic(fmt.Sprintf("historywork: %s: archive %s has no get command", w.Name(), w.currentArchive.Name()))
	}
	cmdLine := w.currentArchive.GetFileCmd(w.remote, w.local)
	w.logf(zapcore.DebugLevel, "Downloading file: cmd: %s", cmdLine)
	return process.CommandInfo{Command: cmdLine}
}

// OnReset removes the local file, then resets the RunCommandWork.
func (w *GetRemoteFileWork) OnReset() {
	removeWithLog(w.fsLog, w.local)
	w.RunCommandWork.OnReset()
}

// OnSuccess counts the bytes downloaded.
func (w *GetRemoteFileWork) OnSuccess() {
	w.mustHaveArchive()
	if fi, err := os.Stat(w.local); err == nil {
		w.app.HistoryMetrics().GetBytes += fi.Size()
	}
	w.RunCommandWork.OnSuccess()
}

// OnFailureRaise counts the failure and blames the archive.
func (w *GetRemoteFileWork) OnFailureRaise() {
	w.mustHaveArchive()
	w.app.HistoryMetrics().GetFailures++
	w.logf(zapcore.WarnLevel, "Could not download file: archive %s maybe missing file %s", w.currentArchive.Name(), w.remote)
	w.RunCommandWork.OnFailureRaise()
}

// CurrentArchive returns the archive of the last run, or nil before the
// first (the C++ getCurrentArchive).
func (w *GetRemoteFileWork) CurrentArchive() *HistoryArchive { return w.currentArchive }

// mustHaveArchive is the C++ releaseAssert(mCurrentArchive).
func (w *GetRemoteFileWork) mustHaveArchive() {
	if w.currentArchive == nil {
		panic(fmt.Sprintf("historywork: %s finished without having chosen an archive", w.Name()))
	}
}

func (w *GetRemoteFileWork) logf(l zapcore.Level, format string, args ...any) {
	if w.log.Core().Enabled(l) {
		w.log.Log(l, fmt.Sprintf(format, args...))
	}
}
