package historywork_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/historywork"
	"github.com/stellarwork/stellarwork/process"
	"github.com/stellarwork/stellarwork/scheduler"
	"github.com/stellarwork/stellarwork/vclock"
)

// Downloading one ledger file from a local archive, whose get template is
// a cp, and unzipping it with gzip: real processes, on a virtual clock.
func Example() {
	root, _ := os.MkdirTemp("", "historywork-example-")
	defer os.RemoveAll(root)
	archiveDir, downloadDir := filepath.Join(root, "archive"), filepath.Join(root, "download")

	// The application: a scheduler.App, with processes, with archives.
	clock := vclock.New(vclock.VirtualTime)
	defer clock.Shutdown()
	base := scheduler.NewApp(clock, scheduler.WithTmpDir(root))
	archive := historywork.MustNewHistoryArchive(historywork.HistoryArchiveConfiguration{
		Name:   "local",
		GetCmd: "cp " + archiveDir + "/{0} {1}",
	})
	app := historywork.NewApp(process.NewApp(base),
		historywork.NewHistoryArchiveManager(base.Rand(), nil, archive))
	defer app.Shutdown()

	// Publish checkpoint 63's ledger file, gzipped.
	ft, _ := historywork.NewFileTransferInfo(downloadDir, historywork.FileTypeLedger, 63)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("ledger headers 1-63\n"))
	zw.Close()
	os.MkdirAll(filepath.Join(archiveDir, ft.RemoteDir()), 0o755)
	os.WriteFile(filepath.Join(archiveDir, ft.RemoteName()), gz.Bytes(), 0o644)

	w := historywork.NewGetAndUnzipRemoteFileWork(app, ft, nil, basicwork.RetryALot, true)
	err := app.WorkScheduler().ExecuteWork(context.Background(), w)
	fmt.Println(w.Name())
	fmt.Println(w.State(), err)
	data, _ := os.ReadFile(ft.LocalPathNoGz())
	fmt.Print(string(data))
	fmt.Println(app.ProcessManager().ProcessesStarted(), "processes,", app.HistoryMetrics().GetBytes == int64(gz.Len()))
	// Output:
	// get-and-unzip-remote-file ledger/00/00/00/ledger-0000003f.xdr.gz
	// WORK_SUCCESS <nil>
	// ledger headers 1-63
	// 2 processes, true
}
