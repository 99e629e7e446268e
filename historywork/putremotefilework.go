package historywork

import (
	"fmt"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/process"
)

// PutRemoteFileWork uploads one local file to an archive by running the
// archive's put template: the port of stellar-core's PutRemoteFileWork.
// Its name is "put-remote-file " followed by the remote name, and it is
// retried basicwork.RetryALot times.
type PutRemoteFileWork struct {
	process.RunCommandWork
	local   string
	remote  string
	archive *HistoryArchive
}

// NewPutRemoteFileWork returns the work that uploads local to remote in
// archive. It panics, as the C++ asserts, on a nil archive or one without
// a put template, and where RunCommandWork.Init panics.
func NewPutRemoteFileWork(app Application, local, remote string, archive *HistoryArchive) *PutRemoteFileWork {
	name := "put-remote-file " + remote
	if archive == nil || !archive.HasPutCmd() {
		panic(fmt.Sprintf("historywork: %s needs an archive with a put command", name))
	}
	w := &PutRemoteFileWork{local: local, remote: remote, archive: archive}
	w.Init(app, name, basicwork.RetryALot, w)
	return w
}

// GetCommand returns the archive's put command for the file.
func (w *PutRemoteFileWork) GetCommand() process.CommandInfo {
	return process.CommandInfo{Command: w.archive.PutFileCmd(w.local, w.remote)}
}
