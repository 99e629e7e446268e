package historywork

import (
	"fmt"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/batchwork"
)

// BatchDownloadWork downloads and unzips a list of archive files of one
// type, at most Config().MaxConcurrentSubprocesses at a time, each by a
// GetAndUnzipRemoteFileWork: the shape of stellar-core's BatchDownloadWork,
// which walks a checkpoint range, over a list of files instead. It is never
// retried (each file's work retries itself), and fails as soon as one file
// fails for good.
//
// Its name is "batch-download-TYPE-FIRST-LAST" with the hex digits of the
// first and last files (the C++ has the range's first and limit), and
// while it runs its status is "downloading TYPE files D/N (P%)", where D
// counts the files handed out so far, as the C++ fmtProgress.
type BatchDownloadWork struct {
	batchwork.BatchWork
	app      Application
	files    []FileTransferInfo
	next     int
	fileType string
	archive  *HistoryArchive
	workLog  *zap.Logger
	log      *zap.Logger
}

// NewBatchDownloadWork returns the work that downloads files, which are of
// type fileType, from archive, or from archives picked at random if
// archive is nil. It panics on an empty list, and where
// batchwork.BatchWork.Init panics.
func NewBatchDownloadWork(app Application, files []FileTransferInfo, fileType string, archive *HistoryArchive) *BatchDownloadWork {
	if len(files) == 0 {
		panic("historywork: NewBatchDownloadWork with no files")
	}
	w := &BatchDownloadWork{app: app, files: files, fileType: fileType, archive: archive}
	w.Init(app, fmt.Sprintf("batch-download-%s-%s-%s", fileType, files[0].HexDigits(), files[len(files)-1].HexDigits()),
		basicwork.RetryNever, w)
	w.workLog = app.Logger()
	w.log = historyLogger(app)
	return w
}

// Status is the progress while the batch runs, and the BatchWork status
// once it is done or aborting.
func (w *BatchDownloadWork) Status() string {
	if !w.IsDone() && !w.IsAborting() {
		return fmtProgress(fmt.Sprintf("downloading %s files", w.fileType), len(w.files), w.next)
	}
	return w.BatchWork.Status()
}

// YieldMoreWork returns the GetAndUnzipRemoteFileWork of the next file,
// retried basicwork.RetryALot times.
func (w *BatchDownloadWork) YieldMoreWork() basicwork.Work {
	if !w.HasNext() {
		w.workLog.Warn(fmt.Sprintf("%s has no more children to iterate over! ", w.Name()))
		return nil
	}
	ft := w.files[w.next]
	if w.log.Core().Enabled(zapcore.DebugLevel) {
		w.log.Debug(fmt.Sprintf("Downloading and unzipping %s for checkpoint %d", w.fileType, ft.Checkpoint()))
	}
	getAndUnzip := NewGetAndUnzipRemoteFileWork(w.app, ft, w.archive, basicwork.RetryALot, true)
	w.next++
	return getAndUnzip
}

// HasNext reports whether a file is left to hand out.
func (w *BatchDownloadWork) HasNext() bool { return w.next < len(w.files) }

// ResetIter starts the list over.
func (w *BatchDownloadWork) ResetIter() { w.next = 0 }

// fmtProgress is the C++ fmtProgress over a list of total items of which
// curr is the next to hand out: "TASK D/N (P%)", with curr counted as
// begun, clamped to the list, as the C++ clamps to the range.
func fmtProgress(task string, total, curr int) string {
	if total == 0 {
		return task + " 0/0 (100%)"
	}
	curr = min(max(curr, 0), total-1)
	done := 1 + curr
	return fmt.Sprintf("%s %d/%d (%d%%)", task, done, total, 100*done/total)
}
