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

DANGER = CueSet.build("danger", [
    (3.0, "svenut[oa]|sviene|e svenuto|malore|ha un malore|non respira|respira a fatica|infarto|arresto cardiaco"
          "|convulsioni|crisi epilettica|sanguina|perde sangue|sangue ovunque|privo di sensi|priva di sensi"
          "|incosciente|a terra e non si muove|accoltellat[oa]|coltello|pistola|armato|sta minacciando|minacciando|minaccia con"
          "|rissa|stanno picchiando|sta picchiando|picchiano|aggredit[oa]|aggressione in corso|sta aggredendo"
          "|sta molestando|molestano|incendio|fiamme|va a fuoco|prende fuoco|fumo|esce fumo|brucia"
          "|sui binari|caduto sui binari|caduta sui binari|investit[oa]|bomba|ordigno"
          "|pacco sospetto|bambin[oa] smarrit[oa]|bambin[oa] pers[oa]|(?:figli[oa]|bimb[oa]|bambin[oa]) .{0,25}"
          "(?:rimast[oa] su\\w*|non (?:lo|la) trovo|scomparso|scomparsa|persa|perso|e scesa|e sceso|da sol[oa])|e caduto|e caduta"
          "|(?:son|daughter|kid|child|boy|girl) .{0,30}(?:got off|stayed on|is alone|still on|left behind|missing)"
          "|fainted|passed out|collapsed|unconscious|not breathing|can t breathe|barely breathe|heart attack"
          "|seizure|bleeding|stabbed|knife|gun|fight|fighting|punching|attacking|being attacked|assaulted"
          "|harassing|groping|fire|smoke|on the tracks|on the track|hit by|lost child|lost my (?:son|daughter|kid|child)"
          "|(?:son|daughter|kid|child) is (?:missing|lost)|fell|has fallen|bomb|suspicious package"
          "|(?:perso|persa|smarrito|smarrita) (?:mio |mia |il mio |la mia )?(?:figli[oa]|bambin[oa]|bimb[oa]|nipote)"
          "|can t find my (?:son|daughter|child|kid)|lost (?:my )?(?:little )?(?:boy|girl)"),
])
URGENT = CueSet.build("urgent", [
    (1.0, "aiuto|help|urgente|urgent|presto|subito|adesso|ora|right now|now|chiamate|call|ambulanza|ambulance"
          "|polizia|police|carabinieri|112|118|113|911|emergenza|emergency|sos|still"),
])
# Danger told as past, habitual or hypothetical is a complaint or a question, not an emergency.
NOT_NOW = CueSet.build("not now", [
    (1.0, "ieri|ieri sera|l altra sera|l altro giorno|settimana scorsa|la scorsa settimana|giorni fa|mesi fa"
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
])
GREETING = CueSet.build("greeting", [
    (1.5, "buongiorno|buonasera|buon pomeriggio|ciao|salve|hello|hi|hey|good morning|good evening"),
])
COMPLAINT = CueSet.build("complaint", [
    (2.5, "vergogna|vergognoso|vergognosa|schifo|che schifo|fa schifo|fate schifo|indecente|inaccettabile"
          "|inammissibile|ridicolo|ridicola|assurd[oa]|pazzesc[oa]|allucinante|scandalo|scandalos[oa]"
          "|imbarazzante|disastro|ennesim[oa]|come al solito|al solito|classico|mai una volta|basta"
          "|fate qualcosa|pessim[oa]|orribile|inumano|disumano|indegno|degrado|senza vergogna|organizzazione zero"
          "|zero organizzazione|ridiculous|joke|disgrace|disgraceful|unacceptable|terrible|awful|worst"
          "|useless|pathetic|shameful|fed up|sick of|do something|inhumane|nightmare|what s the point"
          "|every single day|cosa vi aspettavate|non e possibile|ma come e possibile|che bel servizio|bel servizio"
          "|same story|solita storia|stessa storia"),
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
          "|idiots|morons|clowns|fuck|fucking|firenze|napoli|milano|venezia|bologna|torino|florence|naples"
          "|milan|venice|tivoli|raccomand\\w*|recommend|cappella sistina|sistina|fontana di trevi|monumenti"
          "|mostra|concerto|treno da|train from|trains from"),
])
