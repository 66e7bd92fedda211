(function(){var d=document,items=[].slice.call(d.querySelectorAll('article.finding'));
var u=d.getElementById('f-unit'),s=d.getElementById('f-sev'),c=d.getElementById('f-disc'),p=d.getElementById('f-person'),
t=d.getElementById('f-text'),n=d.getElementById('shown');if(!u)return;
function f(){var uv=u.value,sv=s.value,cv=c.value,pv=p.value,tv=t.value.trim().toLowerCase(),k=0;
items.forEach(function(a){var ok=(!uv||a.getAttribute('data-unit')===uv)&&(!sv||a.getAttribute('data-sev')===sv)&&
(!cv||a.getAttribute('data-disc')===cv)&&(!pv||(' '+a.getAttribute('data-people')+' ').indexOf(' '+pv+' ')>=0)&&
(!tv||a.textContent.toLowerCase().indexOf(tv)>=0);a.hidden=!ok;if(ok)k++;});
[].forEach.call(d.querySelectorAll('section.disc,section.unit'),function(g){g.hidden=!g.querySelector('article.finding:not([hidden])');});
n.textContent=k;}
[u,s,c,p].forEach(function(e){e.addEventListener('change',f);});t.addEventListener('input',f);f();})();
