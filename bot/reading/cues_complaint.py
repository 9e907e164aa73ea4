"""Cues of a complaint and of each kind of problem (complaint categories), Italian and English."""

from __future__ import annotations

from bot.reading.cueset import CueSet, N

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
          "|is it normal that|how is it possible|how come|what are you doing|seriously|are you kidding|per l ennesima"
          "|thanks for nothing|thank you for nothing|grazie per (?:niente|nulla)|grazie tante|bel lavoro davvero"),
    (2.0, "aspetto da|aspettato|sto aspettando da|ho aspettato|waited \\d+|waited for \\d+|waited over"
          "|been waiting|waiting for \\d+"
          f"|da {N} minuti|da {N} min|da mezz ora|da un ora|un ora|mezz ora|per {N} minuti|for {N} minutes"
          "|never came|never showed|didn t come|did not come|non e passato|non passa|non passano|passa mai"
          "|non arriva|non arrivava|non e arrivato|mai arrivato|corsa saltata|corse saltate|soppress[aei]"
          f"|arrivano {N} insieme|tutti insieme|arrivo tardi|arrivato tardi|late for work|again|di nuovo"
          "|ancora una volta|ogni giorno|ogni mattina|tutti i giorni|every day|every morning"
          "|mettete piu|aumentate|non si sale|impossibile"
          "|un altra (?:mattina|mattinata|giornata|sera|serata|volta|ora|corsa)|another (?:morning|day|evening|hour)"),
])
# Complaint categories: cues for each kind of problem (they also count towards "complaint").
CATEGORIES: dict[str, CueSet] = {
    "delay": CueSet.build("delay", [
        (3.0, "ritardo|ritardi|in ritardo|non passa|non passano|passa mai|never came|never showed|late|delay"
              f"|delayed|aspetto da|ho aspettato|waited \\d+|waited for \\d+|been waiting|da {N} minuti|da mezz ora|un ora"
              f"|arrivano {N} insieme|tutti insieme|arrivo tardi|late for work|mins late|minutes late"
              f"|ci ha messo|ci mette|{N} ore per|{N} minuti per|{N} min per|{N} minutes for|at once|all at once"
          f"|bunched|after {N} mins|after {N} minutes|lent[oaie]|lentissim[oaie]|a passo d uomo|lumaca|slow|slowly"
          "|crawl\\w*|snail|took (?:an|one|half an) hour|ci ha messo (?:un ora|mezz ora)|took forever"
              "|corsa saltata|corse saltate|non e partit[oa]|never left|didn t leave|didn t depart|no show"
              "|cancellat[oa] (?:senza|all ultimo)|last minute cancel\\w*|cancelled without"),
        (1.5, f"ogni {N} minuti|ogni {N} min|{N} min between|{N} minutes between|treni ogni|frequenza"),
    ]),
    "crowding": CueSet.build("crowding", [
        (3.0, "sardine|pien[oaie]|strapien[oaie]|stracolm[oaie]|pien[oaie] zepp[oaie]|affollat[oaie]|calca|carro bestiame|pigiati|schiacciati"
              "|non si sale|non si respira|packed|crowded|rammed|overcrowded|couldn t get on|could not get on"
              "|left behind|no room|like sardines|spinge|spingono|pieno come un uovo"),
    ]),
    "skipped_stop": CueSet.build("skipped_stop", [
        (3.5, "saltat[oa] la fermata|salta la fermata|saltato fermata|non si e fermat[oa]|non si ferma"
              "|non ha fermato|senza fermarsi|tirato dritto|tira dritto|drove past|drove straight past|didn t stop"
              "|did not stop|skipped my stop|skipped the stop|passed without stopping|went past my stop"
              "|non ha aperto le porte|fermate di fila|non si e nemmeno fermat[oa]|non si e neanche fermat[oa]"
              "|non ha nemmeno fermato|skipped stops"
              "|drove (?:right |straight )?(?:past|by)|went (?:right |straight )?past|sailed (?:right )?past"
              "|didn t pull (?:over|in)|skip(?:s|ped)? (?:\\w+ ){0,2}stops?|ha saltato|hanno saltato|salta le fermate"
              "|saltat[oaie] (?:la |le |una |due |tre |\\w+ )?fermat[ae]|passat[oa] (?:senza fermarsi|dritt[oa])"
              "|tirat[oa] dritt[oa]|non (?:ha |si e )?accostat[oa]|non accosta|fermata (?:saltata|non effettuata)"
              "|(?:prenotato|premuto|pressed|rang) (?:la fermata|il pulsante|the (?:button|bell))|non apre le porte"
              "|doors (?:didn t|did not|never) open|didn t open the doors|wouldn t stop|non voleva fermarsi"),
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
              "|shouted|on his phone|on her phone|laughed|closed the doors in my face|ignored me|unprofessional"
              "|urlat[oa]|sbraitav\\w*|risposto male|mi ha risposto|arrogant[ei]|strafottent[ei]|insolent|fumava"
              "|smoking|guida(?:va)? (?:pericolosa|spericolat[oa]|come un pazzo)|frenat[ae] brusc\\w*"
              "|drove (?:like a maniac|dangerously|recklessly)|slammed (?:on )?the brakes|braked hard"
              "|(?:autista|driver|controllore|inspector) (?:\\w+ ){0,3}(?:rude|scortese|maleducat[oa]|aggressiv[oa])"),
        (1.0, "autista|autisti|conducente|controllore|controllori|personale|driver|inspector|staff"),
    ]),
    "accessibility": CueSet.build("accessibility", [
        (3.0, "ascensore|ascensori|scale mobili|scala mobile|rampa|pedana|carrozzina|sedia a rotelle"
              "|disabil[ei]|non vedent[ei]|lift|elevator|escalator|escalators|ramp|wheelchair|step free"
              "|out of order|stairs"
              "|barrier[ae]|barriere architettoniche|gradin[oi]|inaccessibil[ei]|not accessible|non accessibil[ei]"
              "|pedana (?:rotta|bloccata)|ramp (?:broken|didn t|wouldn t)|sedie a rotelle|stampelle|crutches"),
    ]),
    "safety": CueSet.build("safety", [
        (3.0, "borseggiator[ei]|borseggio|scippo|furto|rubato|rubata|molest\\w*|aggression[ei]|aggredit[oa]"
              "|insicur[oa]|pericolos[oa]|droga|spacciatori|ubriach[ie]|risse|rissa|pickpocket\\w*|harass\\w*"
              "|unsafe|dangerous|drunk|thieves|robbed|nessun controllo|mai un controllo"
              "|non mi sento sicur[oa]|non ci si sente sicuri|(?:don t|didn t|do not) feel safe|felt unsafe|paura"
              "|scared|afraid|aggressiv[oi]|molest[oa]|insultare|insulta(?:va|vano)? (?:tutti|la gente|i passeggeri)"
              "|shouting at (?:everyone|people|passengers)|threatening|minaccios[oa]|vandal\\w*|baby gang"),
    ]),
    "ticketing": CueSet.build("ticketing", [
        (3.0, "macchinett[ae]|emettitric[ei]|biglietteria automatica|tornell[oi]|validatric[ei]|obliteratric[ei]"
              "|scalato|addebitat[oa]|addebito|due volte|2 volte|non accetta|non accettano|pagato due volte"
              "|ticket machine|ticket machines|gate|gates|turnstile|charged twice|double charged|rejected my card"
              "|card rejected|validator|didn t accept"
              "|validator[ei]|validatore|obliteratric\\w*|non prende (?:le )?carte|non prende (?:i )?contanti"
              "|doesn t take (?:cards|cash)|wouldn t take my card|card not accepted|non (?:ha )?(?:dato|stampato) il biglietto"
              "|ticket (?:didn t|did not|never) (?:print|come out)|biglietto non (?:e )?uscito|tornello bloccato"
              "|gate (?:didn t|wouldn t|won t) open|charged (?:me )?(?:twice|two times|double)|multat[oa] (?:anche se|pur|ma)"
              "|fined (?:even though|although|but)|mi hanno multato|got fined|ricarica non (?:andata|riuscita)"),
    ]),
    "information": CueSet.build("information", [
        (3.0, "(?:nessun|nemmeno un|neanche un|manco un|senza) (?:cartello|avviso|annuncio)|zero informazioni"
              "|nessuno che (?:ti |ci )?dica|nessuno (?:ti |ci )?dice|nessuno sa niente|nobody tells|no one tells"
              "|nessun avviso|nessun cartello|nessuna informazione|nessuna comunicazione|zero annunci|nessun annuncio"
              "|senza avvisi|senza nessun avviso|display|pannell[oi]|tabellon[ei]|palina elettronica|info sbagliate"
              "|informazioni sbagliate|app sbagliata|no sign|no signs|no information|no announcement|no info"
              "|wrong information|said \\d+ min|l app dice|app says"
              "|nobody told|no one told|nessuno (?:ci |mi )?ha (?:detto|avvisato|informato)|senza avvisare"
              "|senza (?:alcun |nessun )?(?:avviso|preavviso|informazion[ei]|spiegazion[ei])|nessuna spiegazione"
              "|no explanation|no warning|without (?:warning|notice|any notice)|put up (?:some |a )?signs?"
              "|cartell[oi]|signage|signs?|announcements?|annunci|altoparlant[ei]|(?:the |your |l )?app (?:said|says|showed"
              "|shows|dice|diceva|segnava|segna)|board said|pannello (?:diceva|segnava)|tabellone (?:diceva|segnava)"
              "|orari sbagliati|wrong (?:times?|info)|not updated|non aggiornat[oaie]|sito sbagliato|website (?:said|was wrong)"),
    ]),
    "other": CueSet.build("other", [
        (3.0, "rumore|rumoros[oi]|lavori notturni|non si dorme|inquin\\w*|scarico|fumo nero|noise|noisy|pollution"
              "|pensilin\\w*|shelter|panchin\\w*|bench(?:es)?|illuminazione|lampion\\w*|al buio|no lighting"
              "|sedile rotto|seats? broken|broken seats?"),
    ]),
}
