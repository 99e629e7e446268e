package historywork

import (
	"fmt"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/process"
)

// MakeRemoteDirWork makes a directory in an archive by running the
// archive's mkdir template: the port of stellar-core's MakeRemoteDirWork.
// Its name is "make-remote-dir " followed by the directory, and it is
// retried basicwork.RetryALot times. An archive without a mkdir template
// needs no directories: the work then succeeds at once, running nothing.
type MakeRemoteDirWork struct {
	process.RunCommandWork
	dir     string
	archive *HistoryArchive
}

// NewMakeRemoteDirWork returns the work that makes dir in archive. It
// panics, as the C++ asserts, on a nil archive, and where
// RunCommandWork.Init panics.
func NewMakeRemoteDirWork(app Application, dir string, archive *HistoryArchive) *MakeRemoteDirWork {
	name := "make-remote-dir " + dir
	if archive == nil {
		panic(fmt.Sprintf("historywork: %s needs an archive", name))
	}
	w := &MakeRemoteDirWork{dir: dir, archive: archive}
	w.Init(app, name, basicwork.RetryALot, w)
	return w
}

// GetCommand returns the archive's mkdir command, or none.
func (w *MakeRemoteDirWork) GetCommand() process.CommandInfo {
	var cmdLine string
	if w.archive.HasMkdirCmd() {
		cmdLine = w.archive.MkdirCmd(w.dir)
	}
	return process.CommandInfo{Command: cmdLine}
}
