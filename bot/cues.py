"""Weighted cue lexicons, Italian and English: how citizens write to a transport operator, per intent.

Patterns are regular expressions over ``knowledge.text.normalise`` output (lower case, no accents,
punctuation as spaces, chat shorthand expanded: "nn" -> "non", "xke" -> "perche"). Emoji and
punctuation cues are matched on the raw text. Written from domain knowledge, not from any test set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CueSet:
    """Named cues with weights; ``score`` sums the weights of the distinct cues found."""

    name: str
    patterns: tuple[tuple[re.Pattern[str], float], ...]

    @classmethod
    def build(cls, name: str, groups: Iterable[tuple[float, str]]) -> CueSet:
        """Compile ``(weight, "alt1|alt2|...")`` groups into word-bounded patterns."""
        return cls(name, tuple((re.compile(rf"\b(?:{alts})\b"), weight) for weight, alts in groups))

    def score(self, text: str) -> tuple[float, list[str]]:
        """The summed weight of the cues in ``text`` and the cues found (each counted once)."""
        total = 0.0
        found: list[str] = []
        for pattern, weight in self.patterns:
            for hit in {m.group(0) for m in pattern.finditer(text)}:
                total += weight
                found.append(hit)
        return total, found


N = r"\d+"  # a number, in patterns below

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

STATUS = CueSet.build("status", [
    (2.0, "passa|passano|passera|passeranno|passa o no|(?<!come )funziona|(?<!come )funzionano|funzionera"
          "|funzionante|attiv[oa]|rott[oa]|fuori servizio|broken|out of order"
          "|in servizio|circola|circolano|regolare|regolari|regolarmente|normale|solito percorso|tutto ok"
          "|tutto regolare|ferma a|ferma alla|ferma al|fa fermata|arriva fino|arrivano fino|va regolare|aperta"
          "|aperto|aperte|running|run|runs|operating|in service|working|normally|as usual|back to normal"
          "|open|stop at|stops at|go to|going to \\w+ station"),
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
          "|on time|clean|spotless|appreciated|appreciate|love|adoro|bellissim[oa]|top"),
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
COMPLAINT = CueSet.build("complaint", [
    (2.5, "vergogna|vergognoso|vergognosa|schifo|che schifo|fa schifo|fate schifo|indecente|inaccettabile"
          "|inammissibile|ridicolo|ridicola|assurd[oa]|pazzesc[oa]|allucinante|scandalo|scandalos[oa]"
          "|imbarazzante|disastro|ennesim[oa]|come al solito|al solito|classico|mai una volta"
          "|(?:ora|adesso|mo) basta|basta (?:cosi|con|ritardi|scuse)|^basta"
          "|fate qualcosa|pessim[oa]|orribile|inumano|disumano|indegno|degrado|senza vergogna|organizzazione zero"
          "|zero organizzazione|ridiculous|joke|disgrace|disgraceful|unacceptable|terrible|awful|worst"
          "|useless|pathetic|shameful|fed up|sick of|do something|inhumane|nightmare|what s the point"
          "|every single day|cosa vi aspettavate|non e possibile|ma come e possibile|che bel servizio|bel servizio"
          "|same story|solita storia|stessa storia|e normale che|ma e normale|vi sembra normale|ti sembra normale"
          "|vi sembra giusto|e mai possibile|com e possibile|come e possibile|possibile che|ma che state a f\\w*"
          "|che state a fa\\w*|ma che fate|che ci state a fa\\w*|ma ci fate|ma vi rendete conto|ovviamente"
          "|is it normal that|how is it possible|how come|what are you doing|seriously|are you kidding|per l ennesima"),
    (2.0, "aspetto da|aspettato|sto aspettando da|ho aspettato|waited \\d+|waited for \\d+|waited over"
          "|been waiting|waiting for \\d+"
          f"|da {N} minuti|da {N} min|da mezz ora|da un ora|un ora|mezz ora|per {N} minuti|for {N} minutes"
          "|never came|never showed|didn t come|did not come|non e passato|non passa|non passano|passa mai"
          "|non arriva|non arrivava|non e arrivato|mai arrivato|corsa saltata|corse saltate|soppress[aei]"
          f"|arrivano {N} insieme|tutti insieme|arrivo tardi|arrivato tardi|late for work|again|di nuovo"
          "|ancora una volta|ogni giorno|ogni mattina|tutti i giorni|every day|every morning"
          "|mettete piu|aumentate|non si sale|impossibile"),
])
# Complaint categories: cues for each kind of problem (they also count towards "complaint").
CATEGORIES: dict[str, CueSet] = {
    "delay": CueSet.build("delay", [
        (3.0, "ritardo|ritardi|in ritardo|non passa|non passano|passa mai|never came|never showed|late|delay"
              f"|delayed|aspetto da|ho aspettato|waited \\d+|waited for \\d+|been waiting|da {N} minuti|da mezz ora|un ora"
              f"|arrivano {N} insieme|tutti insieme|arrivo tardi|late for work|mins late|minutes late"
              f"|ci ha messo|ci mette|{N} ore per|{N} minuti per|{N} min per|{N} minutes for|at once|all at once"
          f"|bunched|after {N} mins|after {N} minutes"),
        (1.5, f"ogni {N} minuti|ogni {N} min|{N} min between|{N} minutes between|treni ogni|frequenza"),
    ]),
    "crowding": CueSet.build("crowding", [
        (3.0, "sardine|pien[oaie]|strapien[oaie]|affollat[oaie]|calca|carro bestiame|pigiati|schiacciati"
              "|non si sale|non si respira|packed|crowded|rammed|overcrowded|couldn t get on|could not get on"
              "|left behind|no room|like sardines|spinge|spingono|pieno come un uovo"),
    ]),
    "skipped_stop": CueSet.build("skipped_stop", [
        (3.5, "saltat[oa] la fermata|salta la fermata|saltato fermata|non si e fermat[oa]|non si ferma"
              "|non ha fermato|senza fermarsi|tirato dritto|tira dritto|drove past|drove straight past|didn t stop"
              "|did not stop|skipped my stop|skipped the stop|passed without stopping|went past my stop"
              "|non ha aperto le porte|fermate di fila|non si e nemmeno fermat[oa]|non si e neanche fermat[oa]"
              "|non ha nemmeno fermato|skipped stops"),
    ]),
    "cleanliness": CueSet.build("cleanliness", [
        (3.0, "sporc\\w*|sporch\\w*|puzzo|puzza|puzzano|urina|pipi|vomito|rifiuti|immondizia"
              "|spazzatura|scarafaggi|topi|sudicio|lerci[oa]|filthy|dirty|trash|rubbish|smell|smells|stinks"
              "|stinking|vomit|urine|sticky|cockroach|rats|degrado"),
    ]),
    "climate": CueSet.build("climate", [
        (3.0, "riscaldamento|aria condizionata|condizionatore|climatizzatore|aria irrespirabile|caldo|freddo"
              "|gelo|si gela|si muore di caldo|forno|sauna|finestrini|gradi dentro|heating|air con|air conditioning"
              "|aircon|freezing|boiling|too hot|too cold|no ac|sweltering|stuffy"),
    ]),
    "staff": CueSet.build("staff", [
        (3.0, "maleducat[oaie]|maleducatissim[oa]|sgarbat[oa]|scortese|villano|ha urlato|urlava|insultat[oa]"
              "|al telefono|al cellulare|col telefono|guidava con una mano|ripartit[oa] mentre|rude|yelled"
              "|shouted|on his phone|on her phone|laughed|closed the doors in my face|ignored me|unprofessional"),
        (1.0, "autista|autisti|conducente|controllore|controllori|personale|driver|inspector|staff"),
    ]),
    "accessibility": CueSet.build("accessibility", [
        (3.0, "ascensore|ascensori|scale mobili|scala mobile|rampa|pedana|carrozzina|sedia a rotelle"
              "|disabil[ei]|non vedent[ei]|lift|elevator|escalator|escalators|ramp|wheelchair|step free"
              "|out of order|stairs"),
    ]),
    "safety": CueSet.build("safety", [
        (3.0, "borseggiator[ei]|borseggio|scippo|furto|rubato|rubata|molest\\w*|aggression[ei]|aggredit[oa]"
              "|insicur[oa]|pericolos[oa]|droga|spacciatori|ubriach[ie]|risse|rissa|pickpocket\\w*|harass\\w*"
              "|unsafe|dangerous|drunk|thieves|robbed|nessun controllo|mai un controllo"),
    ]),
    "ticketing": CueSet.build("ticketing", [
        (3.0, "macchinett[ae]|emettitric[ei]|biglietteria automatica|tornell[oi]|validatric[ei]|obliteratric[ei]"
              "|scalato|addebitat[oa]|addebito|due volte|2 volte|non accetta|non accettano|pagato due volte"
              "|ticket machine|ticket machines|gate|gates|turnstile|charged twice|double charged|rejected my card"
              "|card rejected|validator|didn t accept"),
    ]),
    "information": CueSet.build("information", [
        (3.0, "(?:nessun|nemmeno un|neanche un|manco un|senza) (?:cartello|avviso|annuncio)|zero informazioni"
              "|nessuno che (?:ti |ci )?dica|nessuno (?:ti |ci )?dice|nessuno sa niente|nobody tells|no one tells"
              "|nessun avviso|nessun cartello|nessuna informazione|nessuna comunicazione|zero annunci|nessun annuncio"
              "|senza avvisi|senza nessun avviso|display|pannell[oi]|tabellon[ei]|palina elettronica|info sbagliate"
              "|informazioni sbagliate|app sbagliata|no sign|no signs|no information|no announcement|no info"
              "|wrong information|said \\d+ min|l app dice|app says"),
    ]),
    "other": CueSet.build("other", [
        (3.0, "rumore|rumoros[oi]|lavori notturni|non si dorme|inquin\\w*|scarico|fumo nero|noise|noisy|pollution"),
    ]),
}
_PERSONAL_GROUPS: list[tuple[float, str]] = [
    # asking for a person, not the bot
    (4.0, "(?:voglio|vorrei|fatemi|fammi|passatemi|mi passate|mi passi|devo|posso) parlare con"
          "|parlare con (?:un |una )?(?:persona|umano|essere umano|operatore umano|persona vera|persona reale)"
          "|(?:operatore|persona|essere) (?:uman[oa]|vera|vero|reale|in carne)|non (?:con )?(?:un |il |questo )?"
          "(?:bot|robot|risponditore|chatbot)|(?:sei|siete|e) un (?:bot|robot)|risposta automatica"
          "|(?:talk|speak|chat) (?:to|with) (?:a |an )?(?:human|person|real|someone real|agent|operator|somebody)"
          "|human being|real person|actual person|a human|not a bot|not a robot|are you a bot|automated reply"
          "|i want to (?:talk|speak)|i need to (?:talk|speak) to"),
    # a personal case: a refund, a fine, a lost item with details, a request already made
    (3.5, "rimborsatemi|rimborsate(?:mi)? i|voglio (?:il |un |indietro )?(?:rimborso|soldi)|rivoglio|ridatemi"
          "|restituitemi|refund me|refund my|refund the|can you refund|could you refund|i want (?:a|my) refund"
          "|transaction|transazione|numero (?:d )?ordine|order number|ordine n|codice transazione|ref|riferimento"
          "|id pratica|codice pratica|numero di pratica|segnalazione n|reclamo n|case number|ticket number"
          "|vi ho (?:gia )?scritto|ho gia scritto|vi scrivo (?:per la|di nuovo|ancora)|already (?:wrote|written"
          "|emailed|called|complained)|wrote to you|written to you|still no (?:reply|answer|response)"
          "|my (?:phone|number|email|mobile) is|il mio (?:numero|cellulare|telefono|email|indirizzo)"
          "|contattatemi|ricontattatemi|scrivetemi|contact me|email me|text me|potete (?:controllare|verificare)"
          "|qualcuno (?:puo|potrebbe) (?:controllare|verificare|cercare)|can someone (?:check|look)"
          "|could someone (?:check|look)|can you check (?:if|whether)|avete trovato|avete ritrovato"
          "|has anyone (?:found|handed)|qualcuno ha (?:trovato|consegnato)|handed in"),
    (2.0, "nessuno (?:mi )?risponde|no one (?:replies|answers|responds)|nobody (?:replies|answers|responds)"),
]
# Cues of a message a person must handle: a request for a person, a personal case.
PERSONAL = CueSet.build("personal", _PERSONAL_GROUPS)
# A city's name that is only a street or square in Rome ("piazza Bologna", "via Napoli").
_NOT_A_STREET = r"(?<!piazza )(?<!piazzale )(?<!via )(?<!viale )(?<!porta )(?<!largo )(?<!corso )(?<!p za )"
OTHER = CueSet.build("other", [
    (4.0, "ristorante|ristoranti|pizzeria|trattoria|restaurant|restaurants|hotel|albergo|museo|musei|museum"
          "|museums|trenitalia|italo|frecciarossa|freccia|intercity|cotral|flixbus|taxi|uber|ncc|meteo|weather"
          "|sindaco|mayor|governo|dimettersi|dimettiti|elezioni|politic\\w*|forza roma|forza lazio|vinciamo"
          "|derby|scudetto|crypto|bitcoin|follow me|link in bio|seguimi|onlyfans|guadagna|solidarieta|fate bene"
          "|hanno ragione|sottopagat[oi]|licenziat[oa]|my name is|mi chiamo|verbale|pratica n|numero pratica"
          "|pratica numero|fine no|fine number|reference number|annullate|annullatela|annullatelo|cancel it"
          "|cancel the fine|mi chiama qualcuno|chiamatemi|call me|nessuna risposta|no reply|no answer"
          "|per entrare|pe entra|per entra|ingresso|entrance fee|treno per|train to|trains to"),
    (2.5, "incapaci|ladri|idioti|buffoni|pagliacci|cialtroni|merda|vaffanculo|fanculo|stronzi|stronzo"
          f"|idiots|morons|clowns|fuck|fucking|{_NOT_A_STREET}(?:firenze|napoli|milano|venezia|bologna|torino)"
          "|florence|naples"
          "|milan|venice|tivoli|raccomand\\w*|recommend|cappella sistina|sistina|fontana di trevi|monumenti"
          "|mostra|concerto|treno da|train from|trains from"),
    *_PERSONAL_GROUPS,
    # out of scope: food, weather, sights, shopping
    (4.0, "pizza|pizze|pizzeria|gelato|gelateria|carbonara|amatriciana|cacio e pepe|aperitivo|dove si mangia"
          "|dove mangiare|mangiare bene|where to eat|place to eat|good food|best food|best (?:pizza|gelato|coffee"
          "|restaurant|bar|view)|dinner|lunch|breakfast|brunch|cosa vedere|cosa visitare|things to do"
          "|what to see|sightseeing|shopping|negozi aperti|supermercato|supermarket|farmacia|pharmacy"
          "|previsioni del tempo|che tempo fa|forecast"),
    (2.5, "piovera|pioggia domani|will it rain|is it going to rain"),
    # a question announced, not asked: a person reads it
    (2.5, "ho una domanda|una domanda|una curiosita|una info|un informazione|informazione per favore"
          "|posso chiedere|posso farvi una domanda|i have a question|quick question|a question"
          "|can i ask (?:you )?(?:something|a question)"),
])
# Places and things outside the network (sights, food, other cities): a FAQ answer near them is checked.
OUT_OF_SCOPE = CueSet.build("out of scope", [
    (1.0, "ristorante|ristoranti|pizzeria|trattoria|restaurant|restaurants|hotel|albergo|museo|musei|museum"
          "|museums|meteo|weather|per entrare|per entra|ingresso|entrance fee|cappella sistina|sistina"
          "|fontana di trevi|monumenti|mostra|concerto|pizza|gelato|gelateria|dinner|lunch|breakfast|tickets? to"
          f"|{_NOT_A_STREET}(?:firenze|napoli|milano|venezia|bologna|torino)|florence|naples|milan|venice"),
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
