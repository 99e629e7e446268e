package historywork

import (
	"go.uber.org/zap"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/process"
)

// Application is what the history works are built from: a
// process.Application that also holds the history archives and the
// history meters, as the C++ works reach mApp.getProcessManager(),
// mApp.getHistoryArchiveManager() and mApp.getMetrics(). App implements it,
// and so does any application type that embeds an *App.
type Application interface {
	process.Application
	// HistoryArchiveManager returns the application's archives.
	HistoryArchiveManager() *HistoryArchiveManager
	// HistoryMetrics returns the application's history meters.
	HistoryMetrics() *Metrics
}

// Metrics counts what the history works did: the C++ meters
// history.get.failure and history.get.throughput, and the
// LedgerApplyManager's count of files downloaded by type. The zero value is
// ready to use. It is used on the crank goroutine only.
type Metrics struct {
	// GetFailures counts GetRemoteFileWorks that failed with no retry left
	// (history.get.failure).
	GetFailures int64
	// GetBytes counts the bytes downloaded by GetRemoteFileWorks that
	// succeeded (history.get.throughput).
	GetBytes int64
	// FilesDownloaded counts, by file type ("ledger", ...), the files that
	// GetAndUnzipRemoteFileWorks downloaded and unzipped (the C++
	// LedgerApplyManager::fileDownloaded).
	FilesDownloaded map[string]int64
}

// App is a process.App with history archives and history meters: an
// Application. A port's own application type embeds it to add its own
// managers and configuration.
type App struct {
	*process.App
	archives *HistoryArchiveManager
	metrics  Metrics
}

// NewApp returns base extended with archives and zeroed meters. It panics
// on a nil base or archives.
func NewApp(base *process.App, archives *HistoryArchiveManager) *App {
	if base == nil || archives == nil {
		panic("historywork: NewApp with a nil process.App or HistoryArchiveManager")
	}
	return &App{App: base, archives: archives, metrics: Metrics{FilesDownloaded: map[string]int64{}}}
}

// HistoryArchiveManager returns the application's archives (the C++
// Application::getHistoryArchiveManager).
func (a *App) HistoryArchiveManager() *HistoryArchiveManager { return a.archives }

// HistoryMetrics returns the application's history meters.
func (a *App) HistoryMetrics() *Metrics { return &a.metrics }

// historyLogger is the History category's logger of app.
func historyLogger(app basicwork.Application) *zap.Logger { return app.Logger().Named("History") }
