package historywork

import (
	"fmt"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/work"
)

// GetAndUnzipRemoteFileWork downloads one archive file and gunzips it: the
// port of stellar-core's GetAndUnzipRemoteFileWork. Its name is
// "get-and-unzip-remote-file " followed by the remote name.
//
// It is a work with at most two children, made one after the other: a
// GetRemoteFileWork (never retried) that downloads to LocalPathGzTmp; once
// it succeeds, the .gz.tmp is renamed to LocalPathGz, and a GunzipFileWork
// (never retried) turns it into LocalPathNoGz. It succeeds once that file
// exists. A failure of either child fails the whole (its FailureCause is
// then the child's *basicwork.WorkError, or the complaint it logged), which
// is retried as a whole: a reset removes the three local files and drops the children, so
// that a retry downloads again. Its status is its current child's.
type GetAndUnzipRemoteFileWork struct {
	work.Work
	app               Application
	getRemoteFileWork *GetRemoteFileWork
	gunzipFileWork    *GunzipFileWork
	ft                FileTransferInfo
	archive           *HistoryArchive
	logErrorOnFailure bool
	log, fsLog        *zap.Logger
}

// NewGetAndUnzipRemoteFileWork returns the work that downloads and unzips
// ft from archive, or from an archive picked at random on each attempt if
// archive is nil. retry is its retry budget (the C++ default is
// basicwork.RetryALot); logErrorOnFailure makes its complaints errors
// rather than warnings (the C++ default is true). It panics where
// work.Work.Init panics.
func NewGetAndUnzipRemoteFileWork(app Application, ft FileTransferInfo, archive *HistoryArchive, retry int, logErrorOnFailure bool) *GetAndUnzipRemoteFileWork {
	w := &GetAndUnzipRemoteFileWork{app: app, ft: ft, archive: archive, logErrorOnFailure: logErrorOnFailure}
	w.Init(app, "get-and-unzip-remote-file "+ft.RemoteName(), retry, w)
	w.log = historyLogger(app)
	w.fsLog = app.Logger().Named("Fs")
	return w
}

// Status is the status of the child at work: the gunzip once it exists,
// else the download, else the BasicWork status.
func (w *GetAndUnzipRemoteFileWork) Status() string {
	if w.gunzipFileWork != nil {
		return w.gunzipFileWork.Status()
	} else if w.getRemoteFileWork != nil {
		return w.getRemoteFileWork.Status()
	}
	return w.BasicWork.Status()
}

// DoReset removes the local files of ft and forgets the children.
func (w *GetAndUnzipRemoteFileWork) DoReset() {
	removeWithLog(w.fsLog, w.ft.LocalPathNoGz())
	removeWithLog(w.fsLog, w.ft.LocalPathGz())
	removeWithLog(w.fsLog, w.ft.LocalPathGzTmp())
	w.getRemoteFileWork = nil
	w.gunzipFileWork = nil
}

// OnFailureRaise blames the archive when the file was downloaded but then
// failed.
func (w *GetAndUnzipRemoteFileWork) OnFailureRaise() {
	if ar := w.Archive(); ar != nil {
		// Logged only: the cause stays the failure's own.
		w.logf(w.complaintLevel(), "Archive %s: file %s is maybe corrupt", ar.Name(), w.ft.RemoteName())
	}
	w.Work.OnFailureRaise()
}

// OnSuccess counts the file in HistoryMetrics().FilesDownloaded.
func (w *GetAndUnzipRemoteFileWork) OnSuccess() {
	m := w.app.HistoryMetrics()
	if m.FilesDownloaded == nil {
		m.FilesDownloaded = map[string]int64{}
	}
	m.FilesDownloaded[w.ft.Type()]++
	w.Work.OnSuccess()
}

// DoWork starts the download, then the gunzip, and reports their outcome.
func (w *GetAndUnzipRemoteFileWork) DoWork() basicwork.State {
	if w.gunzipFileWork != nil {
		// The download is done; the gunzip has started.
		if w.getRemoteFileWork == nil || w.getRemoteFileWork.State() != basicwork.Success {
			panic(fmt.Sprintf("historywork: %s gunzips without a successful download", w.Name()))
		}
		state := w.gunzipFileWork.State()
		if state == basicwork.Success && !exists(w.ft.LocalPathNoGz()) {
			w.complain("Downloading and unzipping %s: .nogz not found", w.ft.RemoteName())
			return basicwork.Failure
		}
		w.causedBy(w.gunzipFileWork, state)
		return state
	} else if w.getRemoteFileWork != nil {
		// The download has started.
		state := w.getRemoteFileWork.State()
		if state == basicwork.Success {
			if !w.validateFile() {
				return basicwork.Failure
			}
			w.gunzipFileWork = NewGunzipFileWork(w.app, w.ft.LocalPathGz(), false, basicwork.RetryNever)
			w.addChild(w.gunzipFileWork)
			return basicwork.Running
		}
		w.causedBy(w.getRemoteFileWork, state)
		return state
	}
	w.logf(zapcore.DebugLevel, "Downloading and unzipping %s", w.ft.RemoteName())
	w.getRemoteFileWork = NewGetRemoteFileWork(w.app, w.ft.RemoteName(), w.ft.LocalPathGzTmp(), w.archive, basicwork.RetryNever)
	w.addChild(w.getRemoteFileWork)
	return basicwork.Running
}

// addChild is the C++ addWork: DoWork does not run while the work aborts,
// so AddWork cannot fail here.
func (w *GetAndUnzipRemoteFileWork) addChild(c basicwork.Work) {
	if err := w.AddWork(c); err != nil {
		panic(fmt.Sprintf("historywork: %s: %v", w.Name(), err))
	}
}

// validateFile checks the download and renames .gz.tmp to .gz.
func (w *GetAndUnzipRemoteFileWork) validateFile() bool {
	if !exists(w.ft.LocalPathGzTmp()) {
		w.complain("Downloading and unzipping %s: .tmp file not found", w.ft.RemoteName())
		return false
	}
	w.logf(basicwork.TraceLevel, "Downloading and unzipping %s: renaming .gz.tmp to .gz", w.ft.RemoteName())
	if exists(w.ft.LocalPathGz()) && os.Remove(w.ft.LocalPathGz()) != nil {
		w.complain("Downloading and unzipping %s: failed to remove .gz", w.ft.RemoteName())
		return false
	}
	if os.Rename(w.ft.LocalPathGzTmp(), w.ft.LocalPathGz()) != nil {
		w.complain("Downloading and unzipping %s: failed to rename .gz.tmp to .gz", w.ft.RemoteName())
		return false
	}
	w.logf(basicwork.TraceLevel, "Downloading and unzipping %s: renamed .gz.tmp to .gz", w.ft.RemoteName())
	if !exists(w.ft.LocalPathGz()) {
		w.complain("Downloading and unzipping %s: .gz not found", w.ft.RemoteName())
		return false
	}
	return true
}

// Archive returns the archive the file was downloaded from, once the
// download has succeeded; nil before (the C++ getArchive).
func (w *GetAndUnzipRemoteFileWork) Archive() *HistoryArchive {
	if w.getRemoteFileWork != nil && w.getRemoteFileWork.State() == basicwork.Success {
		return w.getRemoteFileWork.CurrentArchive()
	}
	return nil
}

// FileTransferInfo returns the file the work fetches.
func (w *GetAndUnzipRemoteFileWork) FileTransferInfo() FileTransferInfo { return w.ft }

// complain logs an error, or a warning if the work was made not to log
// errors on failure, and makes the message the cause of the failure that
// follows.
func (w *GetAndUnzipRemoteFileWork) complain(format string, args ...any) {
	w.logf(w.complaintLevel(), format, args...)
	w.SetFailureCause(fmt.Errorf(format, args...))
}

// complaintLevel is ERROR, or WARNING if the work was made not to log
// errors on failure.
func (w *GetAndUnzipRemoteFileWork) complaintLevel() zapcore.Level {
	if w.logErrorOnFailure {
		return zapcore.ErrorLevel
	}
	return zapcore.WarnLevel
}

// causedBy makes the failure of child, when state is Failure, the cause of
// this work's: a *basicwork.WorkError whose cause is the child's (such as
// its command's *process.ExitError).
func (w *GetAndUnzipRemoteFileWork) causedBy(child basicwork.Work, state basicwork.State) {
	if state == basicwork.Failure {
		w.SetFailureCause(basicwork.ResultError(child))
	}
}

func (w *GetAndUnzipRemoteFileWork) logf(l zapcore.Level, format string, args ...any) {
	if w.log.Core().Enabled(l) {
		w.log.Log(l, fmt.Sprintf(format, args...))
	}
}
