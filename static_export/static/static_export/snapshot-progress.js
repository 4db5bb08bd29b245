/*
 * Follows a snapshot's freeze without reloading the page: a Stimulus controller, registered with
 * Wagtail's own Stimulus application, on an element with
 *   data-controller="snapshot-progress" data-snapshot-progress-url-value="<the status URL>"
 * polls the JSON status every few seconds and writes its summary, status and elapsed time into the
 * element's targets. When the freeze finishes, the page is reloaded once to show the result.
 */
(() => {
  const { Controller } = window.StimulusModule;

  class SnapshotProgressController extends Controller {
    static targets = ['summary', 'label', 'elapsed'];

    static values = { url: String, interval: { type: Number, default: 2000 } };

    connect() {
      this.poll();
    }

    disconnect() {
      window.clearTimeout(this.timer);
    }

    async poll() {
      try {
        const response = await fetch(this.urlValue, {
          headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
          credentials: 'same-origin',
        });
        if (response.ok) {
          const progress = await response.json();
          this.show(progress);
          if (progress.finished) {
            window.location.reload();
            return;
          }
        }
      } catch (error) {
        // The server is unreachable for a moment: try again at the next interval.
      }
      this.timer = window.setTimeout(() => this.poll(), this.intervalValue);
    }

    show(progress) {
      this.summaryTargets.forEach((target) => {
        target.textContent = progress.summary;
      });
      this.labelTargets.forEach((target) => {
        const tag = target.querySelector('.w-status') || target;
        tag.textContent = progress.status_label;
      });
      this.elapsedTargets.forEach((target) => {
        target.textContent = progress.elapsed || 'not started yet';
      });
    }
  }

  window.wagtail.app.register('snapshot-progress', SnapshotProgressController);
})();
