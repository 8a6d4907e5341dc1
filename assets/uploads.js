/* A file the upload box refuses (wrong type, too large) is refused by its
   drop zone without a word (dcc.Upload 4.4 sends nothing); say why here, in
   the page's language, from the messages the page carries on #upload-status. */
(function () {
  function check(files) {
    const status = document.getElementById(window.atlasIds.uploadStatus);
    const out = document.getElementById(window.atlasIds.uploadCheck);
    if (!status || !out || !files || !files.length) { return; }
    const file = files[0];
    let message = '';
    if (!/\.(csv|txt)$/i.test(file.name)) { message = status.dataset.notCsv; }
    else if (file.size > Number(status.dataset.max)) { message = status.dataset.tooBig; }
    out.textContent = message ? file.name + ': ' + message : '';
  }
  function box(target) { return target && target.closest && target.closest('.upload'); }
  document.addEventListener('change', function (event) {
    if (box(event.target) && event.target.type === 'file') { check(event.target.files); }
  }, true);
  document.addEventListener('drop', function (event) {
    if (box(event.target) && event.dataTransfer) { check(event.dataTransfer.files); }
  }, true);
})();
