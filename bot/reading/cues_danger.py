"""Cues of danger to people now (emergencies), and of danger told as past or hypothetical."""

from __future__ import annotations

from bot.reading.cueset import CueSet

# Words for a child, and for losing or missing one, in both languages (lost-child cues pair them).
_CHILD_IT = r"figli[oa]|figliolett[oa]|bambin[oa]|bimb[oa]|piccol[oa]|pupo|pupa|ragazzin[oa]|nipotin[oa]|creatura"
_CHILD_EN = r"son|daughter|kid|kids|child|children|boy|girl|toddler|baby|little one"
_LOST_IT = r"pers[oa]|smarrit[oa]|non (?:lo |la )?trov\w+(?: piu)?|scompars[oa]|sparit[oa]|cerc\w+"
# What is told of a child gone missing (not "mio figlio ha perso l'abbonamento").
_CHILD_GONE_IT = (r"si e pers[oa]|e pers[oa]|e smarrit[oa]|si e smarrit[oa]|e scompars[oa]|e sparit[oa]"
                  r"|non (?:lo |la )?trov\w+|rimast[oa] (?:su|sul|sulla|in|nel|nella|a bordo|giu|da sol[oa])\w*"
                  r"|e sces[oa]|sces[oa] da sol[oa]|si e allontanat[oa]|non si trova|non c e piu")
_LOST_EN = r"lost|can t find|cannot find|can not find|couldn t find|separated from|looking for|missing"
_CHILD_GONE_EN = (r"is missing|went missing|got lost|is lost|got off|stayed on|still on the|left behind"
                  r"|is alone on|left alone|wandered off|disappeared|is gone|got separated|ran off")
_WORDS = r"(?:\w+ ){0,6}"
# Danger to people. Strong cues alone make an emergency (when told as now); weak ones need a second
# weak cue or a call for help ("trema", "sta male": alone they may be a figure of speech).
DANGER = CueSet.build("danger", [
    # medical distress
    (3.0, "svenut[oa]|svenuti|sviene|svengono|svenire|sta svenendo|svenimento|malore|malori|sentit[oa] male"
          "|si sente male|si e sentit[oa] male|sentendo male|non respira|respira a fatica|respira male"
          "|fatica a respirare|non riesce a respirare|soffoca\\w*|infarto|arresto cardiaco|ictus"
          "|convulsion\\w*|crisi epilettica|attacco epilettico|epiless\\w*|sanguina\\w*|perde sangue"
          "|pieno di sangue|sangue ovunque|tanto sangue|privo di sensi|priva di sensi|incoscient[ei]"
          "|non reagisce|(?:e|sta|steso|stesa|sdraiat[oa]|accasciat[oa]"
          "|cadut[oa]|crollat[oa]) (?:a|per) terra|accasciat[oa]|si e accasciat[oa]|ferit[oa] grave"
          "|gravemente ferit[oa]|ferit[oa]|overdose|shock anafilattico|reazione allergica|sta partorendo"
          "|doglie|ambulanza|e caduto|e caduta|cadut[oa] dalle scale"
          "|faint\\w*|passed out|passing out|collaps\\w*|unconscious|unresponsive|not breathing"
          "|can t breathe|cannot breathe|can not breathe|barely breathing|struggling to breathe|choking"
          "|heart attack|cardiac arrest|stroke|seizure\\w*|convulsing|epileptic fit|bleeding|blood everywhere"
          "|badly hurt|injured|overdos\\w*|allergic reaction|in labou?r"
          "|fell down|has fallen|fell over|fell(?! asleep)|ambulance|medical emergency"),
    # aggression, weapons, harassment happening now
    (3.0, "accoltellat[oa]|coltell\\w*|pistol\\w*|armat[oi]|minacciand\\w*|sta minacciando|mi minaccia"
          "|ci minaccia|minaccia con|minacciat[oa]|rissa|risse in corso|stanno picchiando|sta picchiando"
          "|picchia\\w*|pestaggio|prende a pugni|prendono a pugni|a calci|a pugni|aggredit[oa]|aggredisce"
          "|aggredendo|aggression[ei] in corso|sta aggredendo|stanno aggredendo|sta molestando|molestano"
          "|mi sta molestando|mi sta toccando|mi ha toccat[oa]|palpeggi\\w*|mi sta seguendo|mi segue"
          "|ci segue|sta importunando|mi importuna|scippo in corso|mi stanno rapinando|rapina"
          "|stabb\\w*|knife|knives|gun|guns|weapon|fight|fighting|punch\\w*|beating (?:up|him|her|someone)"
          "|attacking|being attacked|attacked|assault\\w*|harassing|groping|grabbed me|touching me"
          "|following me|followed me|threaten\\w*|mugged|mugging|robbing|being robbed"),
    # fire, smoke, explosions, people on the tracks or hit
    (3.0, "incendio|fiamme|va a fuoco|prende fuoco|a fuoco|fumo|esce fumo|brucia|esplosion[ei]|esplos[oa]"
          "|odore di gas|puzza di bruciato|odore di bruciato|sui binari|sul binario|sulle rotaie|nei binari"
          "|cadut[oa] (?:sui|sul|sulle|nei|tra i|fra i) (?:binari|binario|rotaie)|investit[oa]|sotto il treno"
          "|sotto la metro|sotto al treno|si e buttat[oa]|bomba|ordigno|pacco sospetto"
          "|bloccat[oa] (?:in|nell|nello|dentro l) ascensore|chiusi in ascensore"
          "|fire|smoke|burning|flames|explosion|smell of gas|on the tracks|on the track|on the rails"
          "|fell onto|hit by (?:a|the) (?:bus|tram|train|car)|run over|bomb|suspicious package"
          "|stuck in (?:the|a) (?:lift|elevator)"),
    # a lost or separated child
    (3.0, f"(?:{_LOST_IT}) (?:di vista )?(?:mi[oa] |il mio |la mia |il |la |un |una |nostr[oa] )?(?:\\w+ )?"
          f"(?:{_CHILD_IT})\\b"
          f"|(?:{_CHILD_IT}) (?:{_WORDS})?(?:{_CHILD_GONE_IT})"
          f"|(?:{_LOST_EN}) (?:track of )?(?:\\w+ ){{0,4}}(?:{_CHILD_EN})\\b(?! s\\b)"
          f"|(?:{_CHILD_EN}) (?:{_WORDS})?(?:{_CHILD_GONE_EN})"
          "|lost child|missing child|bambin[oa] smarrit[oa]"),
    # weak: distress that needs a second sign
    (1.5, "trema|tremando|tremava|sta male|stava male|pallid[oa]|non parla|vomita|vomitando|e svenut"
          "|shaking|trembling|not moving|not responding|is sick|feels sick|pale|help him|help her"
          "|aiutatel[oa]|serve un medico|c e un medico|need a doctor|is there a doctor|sta piangendo|crying"
          "|non si muove|non risponde piu|non risponde|on the floor|on the ground|intrappolat[oa]|trapped"),
])
URGENT = CueSet.build("urgent", [
    (1.0, "aiuto|help|urgente|urgent|adesso|ora|right now|now|chiamate|call|ambulanza|ambulance"
          "|polizia|police|carabinieri|112|118|113|911|emergenza|emergency|sos|still|venite|mandate qualcuno"
          "|send someone|hurry|in questo momento|proprio ora|at the moment"),
])
# Danger told as past, habitual or hypothetical is a complaint or a question, not an emergency.
NOT_NOW = CueSet.build("not now", [
    (1.0, "ieri|ieri sera|l altra sera|l altro giorno|settimana scorsa|l altra settimana|qualche giorno fa"
          "|l altro ieri|tempo fa|a week ago|a few days ago|la scorsa settimana|giorni fa|mesi fa"
          "|last night|yesterday|last week|the other day|days ago|ogni mattina|ogni giorno|ogni sera|tutti i giorni"
          "|sempre|every day|every morning|always|da settimane|da giorni|da mesi|for weeks|for days|cosa devo fare se"
          "|cosa fare se|se vedo|in caso di|what should i do if|what do i do if|if i see|what to do if|scarico"
          "|inquin\\w*|come si segnala|how do i report|dove si segnala|if someone|se qualcuno|who do i tell"
          "|a chi mi rivolgo|a chi devo|what s the procedure|qual e la procedura"),
])
