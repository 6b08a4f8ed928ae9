/* browsercheck script mode: asks the notice endpoint what to tell this browser and puts the notice
   at the top of the page. ES5 and XMLHttpRequest only, so that the old browsers it is for run it. */
(function () {
  var me = document.currentScript, scripts, i, nonce, match, url, xhr;
  if (!me) { /* Internet Explorer has no currentScript */
    scripts = document.getElementsByTagName("script");
    for (i = 0; i < scripts.length; i++) {
      if (/notice\.js(\?|$)/.test(scripts[i].src)) { me = scripts[i]; }
    }
  }
  if (!me || !window.XMLHttpRequest || !window.JSON) { return; }
  nonce = me.nonce || me.getAttribute("nonce");
  url = me.src.replace(/\.js(\?.*)?$/, "") + "?next=" + encodeURIComponent(location.pathname + location.search);
  match = /[?&]browsercheck-preview=([a-z]+)/.exec(location.search);
  if (match) { url += "&browsercheck-preview=" + match[1]; }
  xhr = new XMLHttpRequest();
  xhr.open("GET", url, true);
  xhr.setRequestHeader("Accept", "application/json");
  xhr.onreadystatechange = function () {
    var data, style;
    if (xhr.readyState !== 4 || xhr.status !== 200) { return; }
    try { data = JSON.parse(xhr.responseText).notice; } catch (e) { return; }
    if (!data || document.getElementById("browsercheck-notice-title")) { return; }
    style = document.createElement("style");
    if (nonce) { style.setAttribute("nonce", nonce); }
    style.appendChild(document.createTextNode(data.css));
    (document.head || document.documentElement).appendChild(style);
    document.body.insertAdjacentHTML("afterbegin", data.region);
  };
  xhr.send();
}());
