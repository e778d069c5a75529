// Security keys and Windows Hello (WebAuthn) with django-otp-webauthn's scripts, loaded after this
// one (templates/mfa/_key_scripts.html). No inline scripts (CSP: script-src 'self').
(function () {
  "use strict";
  // The package's scripts call a global gettext(). Its sentences, in the user's language, are on
  // the page (json_script "tsunagu_webauthn_messages", work/mfa_webauthn.py): no catalogue endpoint.
  var element = document.getElementById("tsunagu_webauthn_messages");
  var messages = element ? JSON.parse(element.textContent) : {};
  window.gettext = function (text) {
    return Object.prototype.hasOwnProperty.call(messages, text) ? messages[text] : text;
  };

  // Registration: the key's name is in a form beside the button. Enter in the name field starts the
  // registration (it does not send the form); once the key is registered, the form is sent, which
  // names the key and shows the recovery codes when they are new.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id === "key-registered-form") {
      event.preventDefault();
      var button = document.getElementById("passkey-register-button");
      if (button && !button.disabled) {
        button.click();
      }
    }
  });
  document.addEventListener("otp_webauthn.register_complete", function () {
    var form = document.getElementById("key-registered-form");
    if (form) {
      form.submit();
    }
  });
})();
