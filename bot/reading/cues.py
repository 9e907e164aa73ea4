"""Weighted cue lexicons, Italian and English: how citizens write to a transport operator, per intent.

Patterns are regular expressions over ``knowledge.text.normalise`` output (lower case, no accents,
punctuation as spaces, chat shorthand expanded: "nn" -> "non", "xke" -> "perche"). Emoji and
punctuation cues are matched on the raw text. Written from domain knowledge, not from any test set.
This module holds the cues of questions and thanks; danger, complaints and out-of-scope messages
have their own modules, re-exported here.
"""

from __future__ import annotations

from bot.reading.cues_complaint import CATEGORIES, COMPLAINT
from bot.reading.cues_danger import DANGER, NOT_NOW, URGENT
from bot.reading.cues_other import (
    OTHER,
    OUT_OF_SCOPE,
    PERSONAL,
    SIGHTS,
    TRANSIT_WORDS,
    VISITING,
)
from bot.reading.cueset import CueSet

__all__ = [
    "CATEGORIES", "COMPLAINT", "DANGER", "FAQ", "GREETING", "HABITUAL", "NOT_NOW", "NOW", "OTHER",
    "OUT_OF_SCOPE", "PERSONAL", "SIGHTS", "STATUS", "THANKS", "TRANSIT_WORDS", "URGENT", "VISITING",
    "CueSet",
]

STATUS = CueSet.build("status", [
    (2.0, "passa|passano|passera|passeranno|passa o no|(?<!come )funziona|(?<!come )funzionano|funzionera"
          "|funzionante|attiv[oa]|rott[oa]|fuori servizio|broken|out of order"
          "|in servizio|circola|circolano|regolare|regolari|regolarmente|normale|solito percorso|tutto ok"
          "|tutto regolare|ferma a|ferma alla|ferma al|fa fermata|arriva fino|arrivano fino|va regolare|aperta"
          "|aperto|aperte|running|run|runs|operating|in service|working|normally|as usual|back to normal"
          "|open|stop at|stops at|go to|going to \\w+ station|in orario|on schedule|running on time"
          "|riapre|riaprono|riaperta|riaperto|riaperte|riapertura|reopen|reopens|reopened|reopening"),
    (5.0, "sciopero|scioperi|scioperano|strike|strikes"),
    (2.0, "come va|com e la situazione|situazione|disagi|disagio|how is|how s|affected|interessat[oa]"
          "|coinvolt[oa]|impacted|riparat[oa]|ripristinat[oa]|fixed|repaired|back in service|torna normale"
          "|tornera regolare|arriva a|arriva al|arriva alla|arrivano a|reach|reaches"),
    (2.5, "ritardo|ritardi|in ritardo|chius[aoie]|chiusura|deviat[oaie]|deviazione"
          "|deviazioni|sostituit[oa]|sostitutiv[oaie]|navett[ae]|interrott[oa]|interruzione|guasto|problemi"
          "|problema|disservizi|disservizio|frequenza|ogni quanto|fasce garantite|fascia garantita|garantit[ie]"
          "|quanto ci mette|quanto manca|quando passa|fino a quando|delay|delays|delayed|late"
          "|closed|closure|closures|diverted|diversion|diversions|detour|detours|replaced|replacement"
          "|disruption|disruptions|issues|problems|how often|suspended|cancelled|canceled|any news"),
    (1.0, "ancora|oggi|today|stamattina|stasera|tonight|domani|tomorrow|adesso|right now|this morning"),
])
FAQ = CueSet.build("faq", [
    (1.5, "come si|come faccio|come posso|come fare|come funziona|come funzionano|come arrivo|come ricevo"
          "|come si fa|posso|si puo|si possono|e possibile|serve|servono|bisogna|devo|quanto costa|paga|pagano"
          "|deve pagare|devono pagare|gratis|do i pay|do we pay|does he pay|does she pay|do kids pay|free"
          "|quanto costano|prezzo|costo|dove posso|dove si|dove compro|dove trovo|dove sono|esiste|esistono"
          "|c e un|c e una|ci sono|vale|conviene|a che ora|che orari|orari|how do i|how can i|can i|could i"
          "|come chiedo|come richiedo|come ottengo|come ne ottengo|come prenoto|come pago|come rinnovo|how to"
          "|do i need|do i have to|is there|are there|where can i|where do i|how much|what is the|what s the"
          "|what are|what should i|is it possible|allowed|consentit[oa]|vietat[oa]|ammess[oa]|what time"
          "|need a|is it valid|valid|validi|valido|procedure|procedura|official way"),
])
THANKS = CueSet.build("thanks", [
    (2.0, "grazie|grazie mille|thanks|thank you|ringrazio|vi ringrazio"),
    (2.5, "complimenti|bravi|bravissimi|bravo|brava|ottimo|ottima|perfetto|gentilissim[oaie]|gentil[ei]"
          "|cortese|cortesissim[oa]|disponibile|utile|utili|utilissim[oaie]|velocissim[oa]|efficient[ei]"
          "|puntuale|puntuali|pulito|pulita|puliti|benissimo|great|awesome|excellent|amazing|brilliant"
          "|helpful|super helpful|kind|friendly|lovely|well done|good job|great job|shoutout|shout out|kudos"
          "|on time|clean|spotless|appreciated|appreciate|love|adoro|bellissim[oa]|top|nice|bella idea"
          "|ottima idea|bella iniziativa|ottima iniziativa|good idea|great idea"),
    (1.0, "finalmente|finally|ok|perfect|buon lavoro|buona giornata|have a nice day"),
    (2.0, "cheers|all sorted|sorted|much appreciated|grazie di tutto|grazie lo stesso|grazie comunque"
          "|tutto risolto|problem solved|buona serata|buona domenica|buon weekend|buon fine settimana|buone feste"
          "|buon natale|buon anno|auguri|have a good (?:day|one|weekend)|keep it up|keep up the good work"
          "|continuate cosi|siete grandi|you guys rock|you re the best|siete i migliori|a tutti voi"
          "|buon lavoro|have a great day|thanks anyway|thanks a lot|mille grazie"),
])
GREETING = CueSet.build("greeting", [
    (1.5, "buongiorno|buonasera|buon pomeriggio|ciao|salve|hello|hi|hey|good morning|good evening"),
])
# Service as it usually is ("on weekdays", "la domenica", "di solito"): a timetable question, not today's status.
HABITUAL = CueSet.build("habitual", [
    (1.0, "on weekdays|weekdays|on weekends|on sundays|on saturdays|nei giorni feriali|nei feriali|feriali"
          "|nei festivi|festivi|di domenica|la domenica|il sabato|di sabato|usually|normally|di solito"
          "|in genere|generalmente|solitamente|in estate|d estate|in summer|in agosto|in august|ad agosto"
          "|in inverno|in winter|the first|the last|la prima corsa|l ultima corsa|prima corsa|ultima corsa"),
])
NOW = CueSet.build("now", [
    (1.0, "oggi|today|adesso|ora|now|right now|stamattina|stasera|stanotte|tonight|this morning|domani"
          "|tomorrow|in questo momento|at the moment|currently|ancora|still"),
])
